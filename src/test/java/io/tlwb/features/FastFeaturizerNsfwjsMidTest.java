package io.tlwb.features;

import io.tlwb.testing.OfflineWeights;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tlwb.Workspace;
import io.tlwb.pretrained.PretrainedModel;
import io.tlwb.pretrained.WeightSources;
import io.tlwb.testing.DemoPhotos;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The fast path against the imported nsfwjs mobilenet_v2_mid graph (biased convolutions, no batch norm) on real demo
 * photos. Uses the project's own weights cache ({@code models/weights}; npm pack otherwise).
 */
class FastFeaturizerNsfwjsMidTest {

    private static PretrainedModel base;

    @BeforeAll
    static void load() {
        OfflineWeights.assumeFetched(WeightSources.MID_SPEC, new Workspace(Path.of("")));
        base = WeightSources.load(WeightSources.MID_SPEC, new Workspace(Path.of("")));
    }

    private static INDArray photos(int size) {
        return DemoPhotos.batch(size, base.preprocessing());
    }

    @Test
    void bottleneckFeaturesEqualTheImportedGraphOnRealPhotos() {
        int size = 160;
        INDArray images = photos(size);
        INDArray expected = new GraphFeaturizer(base, "out_relu", size).featurize(images);
        FastFeaturizer fast = FastFeaturizer.compile(base, "out_relu", size);
        assertEquals(1792, fast.featureSize());
        double diff = FastFeaturizerTest.maxAbsDiff(expected, fast.featurize(images));
        assertTrue(diff <= 1e-3, "max abs diff at " + size + " px: " + diff);
        assertTrue(expected.amaxNumber().doubleValue() > 0.1, "features are not all ~0");
    }

    /**
     * Fine-tuning's default maps (block_12_add) and a 1x1 expansion the engine would otherwise fuse with the depthwise
     * convolution after it, each read out on the way to the head's cut in one pass: equal to the imported graph.
     */
    @Test
    void mapsReadOutOnTheWayToTheCutEqualTheImportedGraph() {
        int size = 100;
        INDArray images = photos(size).get(NDArrayIndex.interval(0, 3));
        String cut = "block_13_expand_relu";
        FastFeaturizer pooled = FastFeaturizer.compile(base, cut, size);
        INDArray expectedPooled = new GraphFeaturizer(base, cut, size).featurize(images);
        for (String side : new String[]{"block_12_add", "block_12_expand_relu"}) {
            INDArray[] both = pooled.featurizeWith(FastFeaturizer.compile(base, side, size, Pooling.NONE), images);
            INDArray expectedMaps = new GraphFeaturizer(base, side, size, Pooling.NONE).featurize(images);
            double pooledDiff = FastFeaturizerTest.maxAbsDiff(expectedPooled, both[0]);
            double mapsDiff = FastFeaturizerTest.maxAbsDiff(expectedMaps, both[1]);
            assertTrue(pooledDiff <= 1e-4 * expectedPooled.amaxNumber().doubleValue(), side + ": " + pooledDiff);
            assertTrue(mapsDiff <= 1e-4 * expectedMaps.amaxNumber().doubleValue(), side + ": " + mapsDiff);
        }
    }

    @Test
    void blockOutputsAndMapsEqualTheImportedGraphIncludingOddSizes() {
        // 100 px makes a stride-2 block see an odd size (25), where ZeroPadding2D ((0,1),(0,1)) is not TF SAME
        int size = 100;
        INDArray images = photos(size).get(NDArrayIndex.interval(0, 2));
        for (String cut : new String[]{"expanded_conv_depthwise", "block_3_depthwise_relu", "block_6_project",
                "block_13_expand_relu"}) {
            for (Pooling pooling : Pooling.values()) {
                FastFeaturizerTest.assertEngineMatchesGraph(base, cut, size, pooling, images);
            }
        }
    }
}
