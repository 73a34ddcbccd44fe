package io.tlwb.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tlwb.features.FeatureSet;
import io.tlwb.features.View;
import io.tlwb.model.HeadConfig;
import io.tlwb.model.HeadSpec;
import io.tlwb.model.Updater;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

class EarlyStoppingTest {

    /** Two noisy overlapping blobs with a mirrored view: a head overfits them after a few epochs at a high rate. */
    private static FeatureSet blobs(int n, long seed) {
        Random random = new Random(seed);
        float[][] rows = new float[n][32];
        float[][] mirrored = new float[n][32];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 2;
            for (int j = 0; j < 32; j++) {
                rows[i][j] = (float) (random.nextGaussian() + (labels[i] == 0 ? 0.4 : -0.4) * (j < 2 ? 1 : 0));
                mirrored[i][j] = rows[i][j] + 0.01f;
            }
        }
        List<String> sources = IntStream.range(0, n).mapToObj(i -> "img" + i).toList();
        return new FeatureSet(List.of(View.ORIGINAL, View.MIRRORED),
                List.of(Nd4j.createFromArray(rows), Nd4j.createFromArray(mirrored)), labels, sources, 2);
    }

    @Test
    void theHeldOutSliceIsStratifiedSeededAndOnlyTheOriginalView() {
        FeatureSet train = blobs(60, 1);
        EarlyStopping settings = new EarlyStopping(3, 0.2);
        EarlyStopping.Split split = settings.split(train, 7);
        assertEquals(12, split.watch().size());
        assertEquals(48, split.fit().size());
        assertEquals(6, Arrays.stream(split.watch().labels()).filter(l -> l == 1).count(), "6 of each class");
        assertEquals(List.of(View.ORIGINAL), split.watch().viewNames());
        assertEquals(2, split.fit().views().size(), "the fitted rows keep their views");
        assertEquals(split.watch().sources(), settings.split(train, 7).watch().sources(), "seeded");
        assertTrue(split.watch().sources().stream().noneMatch(split.fit().sources()::contains), "disjoint");
    }

    @Test
    void itStopsWhenTheHeldOutLossStallsAndKeepsTheBestEpochsHead() {
        HeadSpec spec = new HeadSpec("out", 32, List.of("a", "b"), new HeadConfig(false, 0, 0.0, 0.0, Updater.ADAM,
                5e-2), 3);
        HeadTrainer.Outcome outcome = new HeadTrainer(spec, 200, 8).optEarlyStopping(new EarlyStopping(3, 0.2))
                .train(blobs(80, 2), blobs(40, 3), e -> { });
        EarlyStopping.Result stopped = outcome.earlyStopping();
        assertTrue(stopped.epochsRun() < 200, "stopped early, after " + stopped.epochsRun());
        assertEquals(stopped.bestEpoch() + 3, stopped.epochsRun(), "three epochs without improvement");
        assertEquals(stopped.epochsRun(), outcome.history().size());
        EpochStats best = outcome.history().get(stopped.bestEpoch() - 1);
        assertEquals(best.validationLoss(), outcome.after().loss(), 1e-6, "the kept head is the best epoch's");
    }

    @Test
    void settingsOutOfRangeAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new EarlyStopping(0, 0.1));
        assertThrows(IllegalArgumentException.class, () -> new EarlyStopping(3, 0.6));
    }
}
