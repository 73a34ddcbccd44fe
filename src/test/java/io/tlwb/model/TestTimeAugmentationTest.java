package io.tlwb.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tlwb.data.ImagePipeline;
import io.tlwb.features.GraphFeaturizer;
import io.tlwb.pretrained.PretrainedModel;
import io.tlwb.testing.TinyBase;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

class TestTimeAugmentationTest {

    private final PretrainedModel base = TinyBase.create(16, 7);

    /** A transfer model whose head has seen a few steps, so its outputs depend on the input. */
    private TransferModel trainedModel() {
        HeadSpec spec = HeadSpec.of(base, List.of("a", "b", "c"), null,
                new HeadConfig(true, 0, 0.0, 0, Updater.ADAM, 1e-2), 3);
        INDArray images = Nd4j.rand(12, 32, 32, 3);
        INDArray features = new GraphFeaturizer(base, "out_relu", 32).featurize(images);
        ComputationGraph head = spec.newHeadGraph(features);
        INDArray labels = Nd4j.eye(3).getRows(0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2);
        for (int i = 0; i < 5; i++) {
            head.fit(new DataSet(features, labels));
        }
        return TransferModel.assemble(base, TrainedHead.of(spec, head));
    }

    /** Random images made mirror-symmetric: column w and column width-1-w are equal. */
    private static INDArray symmetricImages(int n) {
        INDArray images = Nd4j.rand(n, 32, 32, 3);
        return images.add(ImagePipeline.flipHorizontally(images)).divi(2);
    }

    /** The graph's output for the images' mirrors, in a pass of their own. */
    private static INDArray mirroredOutput(ComputationGraph graph, INDArray images) {
        return graph.outputSingle(false, ImagePipeline.flipHorizontally(images)).dup();
    }

    @Test
    void flipAveragingOfAMirrorSymmetricImageEqualsThePlainPrediction() {
        ComputationGraph graph = trainedModel().graph();
        INDArray images = symmetricImages(4);
        INDArray plain = TestTimeAugmentation.NONE.output(graph, images).dup();
        INDArray averaged = TestTimeAugmentation.FLIP.output(graph, images);
        assertEquals(0.0, plain.sub(averaged).amaxNumber().doubleValue(), 1e-6);
    }

    @Test
    void flipAveragesTheSoftmaxOfTheImageAndOfItsMirror() {
        ComputationGraph graph = trainedModel().graph();
        INDArray images = Nd4j.rand(4, 32, 32, 3);
        INDArray plain = graph.outputSingle(false, images).dup();
        INDArray mirrored = mirroredOutput(graph, images);
        assertTrue(plain.sub(mirrored).amaxNumber().doubleValue() > 1e-4, "the test images are not symmetric");
        INDArray averaged = TestTimeAugmentation.FLIP.output(graph, images);
        assertEquals(0.0, averaged.sub(plain.add(mirrored).divi(2)).amaxNumber().doubleValue(), 1e-6);
        assertEquals(1.0, averaged.sum(1).minNumber().doubleValue(), 1e-5, "still a probability distribution");
    }

    @Test
    void aSingleImageAndItsMirrorGoThroughTheModelAsOneBatchOfTwo() {
        ComputationGraph graph = trainedModel().graph();
        INDArray image = Nd4j.rand(1, 32, 32, 3);
        INDArray plain = graph.outputSingle(false, image).dup();
        INDArray mirrored = mirroredOutput(graph, image);
        List<Long> batches = new ArrayList<>();
        INDArray averaged = TestTimeAugmentation.FLIP.output(images -> {
            batches.add(images.size(0));
            return graph.outputSingle(false, images);
        }, image);
        assertEquals(List.of(2L), batches, "one pass of both views");
        assertEquals(0.0, averaged.sub(plain.add(mirrored).divi(2)).amaxNumber().doubleValue(), 1e-6);
        assertArrayEquals(new long[]{1, 3}, averaged.shape());
    }

    @Test
    void noneIsOneForwardPass() {
        ComputationGraph graph = trainedModel().graph();
        INDArray images = Nd4j.rand(2, 32, 32, 3);
        INDArray plain = graph.outputSingle(false, images).dup();
        assertEquals(0.0, plain.sub(TestTimeAugmentation.NONE.output(graph, images)).amaxNumber().doubleValue(), 0.0);
    }

    @Test
    void parseAcceptsTheCliNamesAndListsThemOtherwise() {
        assertSame(TestTimeAugmentation.FLIP, TestTimeAugmentation.parse(" Flip "));
        assertSame(TestTimeAugmentation.NONE, TestTimeAugmentation.parse("none"));
        var e = assertThrows(IllegalArgumentException.class, () -> TestTimeAugmentation.parse("rotate"));
        assertTrue(e.getMessage().contains("rotate") && e.getMessage().contains("none, flip"), e.getMessage());
    }
}
