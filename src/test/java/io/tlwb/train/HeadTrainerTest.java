package io.tlwb.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tlwb.features.FeatureSet;
import io.tlwb.features.View;
import io.tlwb.model.HeadConfig;
import io.tlwb.model.HeadSpec;
import io.tlwb.model.TransferModel;
import io.tlwb.model.Updater;
import io.tlwb.pretrained.PretrainedModel;
import io.tlwb.testing.TinyBase;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.deeplearning4j.nn.api.Layer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class HeadTrainerTest {

    private static final int FEATURES = 16;
    private final PretrainedModel base = TinyBase.create(FEATURES, 11);

    /** Two Gaussian blobs in feature space, one per class, with a mirrored "view" slightly shifted. */
    private static FeatureSet blobs(int n, long seed) {
        Random random = new Random(seed);
        float[][] rows = new float[n][FEATURES];
        float[][] mirrored = new float[n][FEATURES];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 2;
            for (int j = 0; j < FEATURES; j++) {
                rows[i][j] = (float) (random.nextGaussian() + (labels[i] == 0 ? 1.5 : -1.5) * (j < 4 ? 1 : 0));
                mirrored[i][j] = rows[i][j] + 0.05f;
            }
        }
        List<String> sources = IntStream.range(0, n).mapToObj(i -> "img" + i + ".jpg").toList();
        return new FeatureSet(List.of(View.ORIGINAL, View.MIRRORED),
                List.of(Nd4j.createFromArray(rows), Nd4j.createFromArray(mirrored)), labels, sources, 2);
    }

    private HeadSpec spec(long seed) {
        return HeadSpec.of(base, List.of("ants", "bees"), null, new HeadConfig(false, 0, 0.2, 1e-4, Updater.ADAM, 3e-2),
                seed);
    }

    @Test
    void trainingBeatsTheUntrainedHeadAndRecordsEveryEpoch() {
        List<EpochStats> seen = new ArrayList<>();
        HeadTrainer.Outcome outcome = new HeadTrainer(spec(1), 8, 8).train(blobs(64, 1), blobs(32, 2), seen::add);
        assertEquals(8, outcome.history().size());
        assertEquals(outcome.history(), seen);
        assertTrue(outcome.after().accuracy() >= 0.9, "after: " + outcome.after().accuracy());
        assertTrue(outcome.after().loss() < outcome.before().loss(),
                outcome.before().loss() + " -> " + outcome.after().loss());
    }

    @Test
    void sameSeedAndDataGiveTheSameNumbers() {
        HeadTrainer.Outcome first = new HeadTrainer(spec(9), 3, 8).train(blobs(40, 1), blobs(20, 2), s -> { });
        HeadTrainer.Outcome second = new HeadTrainer(spec(9), 3, 8).train(blobs(40, 1), blobs(20, 2), s -> { });
        assertEquals(first.history(), withoutTimes(second.history(), first.history()));
        assertEquals(first.after().loss(), second.after().loss(), 0.0);
    }

    @Test
    void theAssembledModelKeepsTheBaseBitIdenticalAndCarriesTheTrainedHead() {
        HeadTrainer.Outcome outcome = new HeadTrainer(spec(4), 3, 8).train(blobs(32, 3), blobs(16, 4), s -> { });
        TransferModel model = TransferModel.assemble(base, outcome.trained());
        List<String> headLayers = TransferModel.headLayerNames(model.spec());
        int checked = 0;
        for (Layer layer : model.graph().getLayers()) {
            String name = layer.conf().getLayer().getLayerName();
            if (layer.numParams() > 0 && !headLayers.contains(name)) {
                assertArrayEquals(base.graph().getLayer(name).params().toFloatVector(),
                        layer.params().toFloatVector(), 0f, name);
                checked++;
            }
        }
        assertTrue(checked > 0);
        INDArray untrained = spec(4).newHeadGraph(blobs(32, 3).features()).getLayer("head_output").params();
        assertTrue(!untrained.equals(model.graph().getLayer("head_output").params()), "head was trained");
    }

    @Test
    void standardizationLayerStaysFixedWhileTheHeadTrains() {
        HeadSpec spec = HeadSpec.of(base, List.of("ants", "bees"), null,
                new HeadConfig(true, 0, 0.2, 1e-2, Updater.ADAM, 3e-2), 2);
        FeatureSet train = blobs(48, 6);
        HeadTrainer.Outcome outcome = new HeadTrainer(spec, 5, 8).train(train, blobs(16, 7), s -> { });
        INDArray expectedScale = train.features().std(0).addi(1e-3).rdivi(1.0);
        INDArray scale = TransferModel.assemble(base, outcome.trained()).graph().getLayer("head_standardize")
                .getParam("W");
        assertArrayEquals(expectedScale.toFloatVector(), scale.toFloatVector(), 1e-6f);
    }

    /** Epoch timings differ run to run; compare everything else. */
    private static List<EpochStats> withoutTimes(List<EpochStats> stats, List<EpochStats> timesFrom) {
        return IntStream.range(0, stats.size()).mapToObj(i -> new EpochStats(stats.get(i).epoch(),
                stats.get(i).trainLoss(), stats.get(i).validationLoss(), stats.get(i).validationAccuracy(),
                timesFrom.get(i).seconds(), false)).toList();
    }
}
