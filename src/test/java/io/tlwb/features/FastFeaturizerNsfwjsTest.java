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

/**
 * The fast path against the imported nsfwjs MobileNetV2 on real demo photos. Uses the project's own weights cache
 * ({@code models/weights}, filled by the first {@code train} or {@code weights} run; npm pack otherwise).
 */
class FastFeaturizerNsfwjsTest {

    private static PretrainedModel base;

    @BeforeAll
    static void load() {
        OfflineWeights.assumeFetched(new Workspace(Path.of("")));
        base = WeightSources.load(WeightSources.NSFWJS_SPEC, new Workspace(Path.of("")));
    }

    private static INDArray photos(int size) {
        return DemoPhotos.batch(size, base.preprocessing());
    }

    @Test
    void bottleneckFeaturesEqualTheImportedGraphOnRealPhotos() {
        for (int size : new int[]{96, 160}) {
            INDArray images = photos(size);
            INDArray expected = new GraphFeaturizer(base, "out_relu", size).featurize(images);
            FastFeaturizer fast = FastFeaturizer.compile(base, "out_relu", size);
            INDArray actual = fast.featurize(images);
            assertEquals(1280, fast.featureSize());
            double diff = FastFeaturizerTest.maxAbsDiff(expected, actual);
            assertTrue(diff <= 1e-3, "max abs diff at " + size + " px: " + diff);
            assertTrue(expected.amaxNumber().doubleValue() > 0.1, "features are not all ~0");
        }
    }

    @Test
    void blockOutputsAndMapsEqualTheImportedGraphIncludingOddSizes() {
        // 100 px makes a stride-2 block see an odd size (25), where ZeroPadding2D ((0,1),(0,1)) is not TF SAME
        int size = 100;
        INDArray images = photos(size).get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 2));
        for (String cut : new String[]{"block_3_depthwise_relu", "block_6_project_BN", "block_12_add"}) {
            for (Pooling pooling : Pooling.values()) {
                FastFeaturizerTest.assertEngineMatchesGraph(base, cut, size, pooling, images);
            }
        }
    }
}
