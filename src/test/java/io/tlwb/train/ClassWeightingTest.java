package io.tlwb.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tlwb.features.FeatureSet;
import io.tlwb.features.View;
import io.tlwb.model.HeadConfig;
import io.tlwb.model.HeadSpec;
import io.tlwb.model.Updater;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

class ClassWeightingTest {

    @Test
    void balancedWeightsAreTheInverseClassFrequencyScikitLearnComputes() {
        // n / (k * n_c): 40 / (2 * 30) and 40 / (2 * 10)
        assertArrayEquals(new double[] {2.0 / 3, 2.0}, ClassWeighting.BALANCED.weights(new int[] {30, 10}), 1e-12);
        assertNull(ClassWeighting.NONE.weights(new int[] {30, 10}));
        assertEquals(3.0, ClassWeighting.imbalance(new int[] {30, 10, 15}), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> ClassWeighting.BALANCED.weights(new int[] {3, 0}));
    }

    /** Two overlapping blobs; {@code minority} of every {@code n} rows are class 1. */
    private static FeatureSet blobs(int n, int minority, long seed) {
        Random random = new Random(seed);
        float[][] rows = new float[n][8];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i < minority ? 1 : 0;
            for (int j = 0; j < 8; j++) {
                rows[i][j] = (float) (random.nextGaussian() + (labels[i] == 1 ? 0.6 : -0.6) * (j < 4 ? 1 : 0));
            }
        }
        List<String> sources = IntStream.range(0, n).mapToObj(i -> "img" + i).toList();
        return new FeatureSet(List.of(View.ORIGINAL), List.of(Nd4j.createFromArray(rows)), labels, sources, 2);
    }

    @Test
    void balancedWeightsRaiseTheMinorityClassRecallOnImbalancedData() {
        FeatureSet train = blobs(200, 20, 1);
        FeatureSet validation = blobs(200, 100, 2);
        HeadSpec spec = new HeadSpec("out", 8, List.of("common", "rare"),
                new HeadConfig(false, 0, 0.0, 0.0, Updater.ADAM, 1e-2), 3);
        double plain = new HeadTrainer(spec, 20, 20).train(train, validation, e -> { })
                .after().perClass().get(1).recall();
        double balanced = new HeadTrainer(spec.withClassWeights(ClassWeighting.BALANCED.weights(new int[] {180, 20})),
                20, 20).train(train, validation, e -> { }).after().perClass().get(1).recall();
        assertTrue(balanced > plain + 0.1, "rare-class recall: " + plain + " unweighted, " + balanced + " balanced");
    }
}
