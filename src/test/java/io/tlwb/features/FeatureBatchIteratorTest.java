package io.tlwb.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

class FeatureBatchIteratorTest {

    /** Row {@code i} of view {@code v} holds {@code 1000 v + i} then {@code i}, so a batch row names its source. */
    private static FeatureSet twoViews(int n) {
        float[][][] values = new float[2][n][];
        int[] labels = new int[n];
        List<String> sources = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            for (int v = 0; v < 2; v++) {
                values[v][i] = new float[] {1000 * v + i, i, -i};
            }
            labels[i] = i % 3;
            sources.add("image" + i);
        }
        return new FeatureSet(List.of(View.ORIGINAL, View.MIRRORED),
                List.of(Nd4j.createFromArray(values[0]), Nd4j.createFromArray(values[1])), labels, sources, 3);
    }

    @Test
    void everyImageComesOnceAnEpochFromOneOfItsViewsWithItsLabel() {
        int n = 50;
        FeatureSet set = twoViews(n);
        FeatureBatchIterator batches = new FeatureBatchIterator(set, 8, 7);
        for (int epoch = 0; epoch < 2; epoch++) {
            Set<Integer> seen = new HashSet<>();
            Set<Integer> viewsUsed = new HashSet<>();
            while (batches.hasNext()) {
                DataSet batch = batches.next();
                float[][] x = batch.getFeatures().toFloatMatrix();
                float[][] y = batch.getLabels().toFloatMatrix();
                for (int r = 0; r < x.length; r++) {
                    int image = (int) x[r][1];
                    int view = (int) (x[r][0] - image) / 1000;
                    assertEquals(-image, x[r][2], "the whole row comes from one image");
                    assertTrue(seen.add(image), "image " + image + " twice in epoch " + epoch);
                    viewsUsed.add(view);
                    assertEquals(1f, y[r][set.labels()[image]], "label of image " + image);
                }
            }
            assertEquals(n, seen.size());
            assertEquals(Set.of(0, 1), viewsUsed, "both views are drawn");
            batches.reset();
        }
    }

    @Test
    void releasingFreesEachBatchWhenTheNextIsAskedForAndGivesTheSameBatches() {
        FeatureSet set = twoViews(20);
        FeatureBatchIterator kept = new FeatureBatchIterator(set, 8, 3);
        MinibatchIterator released = new FeatureBatchIterator(set, 8, 3).releasingEachBatch();
        for (int epoch = 0; epoch < 2; epoch++) {
            DataSet previous = null;
            while (kept.hasNext()) {
                DataSet expected = kept.next();
                DataSet batch = released.next();
                if (previous != null) {
                    assertTrue(previous.getFeatures().wasClosed() && previous.getLabels().wasClosed(),
                            "the batch before is freed");
                }
                assertEquals(expected.getFeatures(), batch.getFeatures());
                assertEquals(expected.getLabels(), batch.getLabels());
                assertFalse(expected.getFeatures().wasClosed(), "without releasing, batches are left to the collector");
                previous = batch;
            }
            assertFalse(released.hasNext());
            kept.reset();
            released.reset();
        }
    }

    @Test
    void theSameSeedReplaysTheSameBatches() {
        FeatureSet set = twoViews(30);
        FeatureBatchIterator a = new FeatureBatchIterator(set, 8, 3);
        FeatureBatchIterator b = new FeatureBatchIterator(set, 8, 3);
        while (a.hasNext()) {
            assertEquals(a.next().getFeatures(), b.next().getFeatures());
        }
    }
}
