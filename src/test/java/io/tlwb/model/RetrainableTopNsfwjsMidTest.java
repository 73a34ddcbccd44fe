package io.tlwb.model;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tlwb.Workspace;
import io.tlwb.features.GraphFeaturizer;
import io.tlwb.features.Pooling;
import io.tlwb.pretrained.PretrainedModel;
import io.tlwb.pretrained.WeightSources;
import io.tlwb.testing.DemoPhotos;
import io.tlwb.testing.OfflineWeights;
import io.tlwb.testing.TinyBase;
import java.nio.file.Path;
import java.util.List;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Fine-tuning the real default weights (nsfwjs' TF-Hub MobileNetV2: biased depthwise convolutions, residual adds, no
 * batch norms) on real photos: the retrainable top starts from, and is written back to, exactly what the full model
 * computes. Uses the project's own weights cache ({@code models/weights}; npm pack otherwise).
 */
class RetrainableTopNsfwjsMidTest {

    private static final int SIZE = 96;
    private static final String FROZEN = "block_10_project";

    @Test
    void blocksAboveBlock10RetrainAndWriteBackExactlyOnRealPhotos() {
        OfflineWeights.assumeFetched(WeightSources.MID_SPEC, new Workspace(Path.of("")));
        PretrainedModel base = WeightSources.load(WeightSources.MID_SPEC, new Workspace(Path.of("")));
        TransferModel model = TinyBase.withUntrainedHead(base, List.of("a", "b", "c", "d"), null,
                new HeadConfig(false, 0, 0.0, 0.0, Updater.ADAM, 1e-2), 42);
        INDArray images = DemoPhotos.batch(SIZE, base.preprocessing());
        GraphFeaturizer maps = new GraphFeaturizer(base, FROZEN, SIZE, Pooling.NONE);
        long[] shape = maps.rowShape();
        INDArray activations = maps.featurize(images).reshape('c', images.size(0), shape[0], shape[1], shape[2]);

        RetrainableTop top = RetrainableTop.of(model, FROZEN, shape, new Adam(1e-3));
        // the fast forms of the same layers: 1x1 convolutions as matrix products, ReLU(max 6) as a stepped ReLU6
        assertTrue(top.graph().getLayer("block_12_project") instanceof PointwiseConvolution.Impl);
        assertTrue(top.graph().getLayer("block_13_expand") instanceof PointwiseConvolution.Impl);
        assertFalse(top.graph().getLayer("block_11_depthwise") instanceof PointwiseConvolution.Impl);
        assertTrue(((ActivationLayer) top.graph().getLayer("block_13_expand_relu").conf().getLayer())
                .getActivationFn() instanceof SteppedReLU6);
        INDArray before = model.graph().outputSingle(images).dup();
        assertClose(before, top.graph().outputSingle(activations), "before training");
        for (int i = 0; i < 3; i++) {
            top.graph().fit(new DataSet(activations, Nd4j.eye(4)));
        }
        INDArray after = TransferModel.assemble(base, top.retrained(model)).graph().outputSingle(images).dup();
        assertClose(top.graph().outputSingle(activations), after, "after training");
        assertTrue(Transforms.abs(after.sub(before)).maxNumber().doubleValue() > 1e-3, "training changed the model");
        assertTrue(top.changedBaseLayers().containsAll(List.of("block_11_depthwise", "block_12_project",
                "block_13_expand")), top.changedBaseLayers().toString());
    }

    private static void assertClose(INDArray expected, INDArray actual, String when) {
        double diff = Transforms.abs(expected.sub(actual)).maxNumber().doubleValue();
        assertTrue(diff < 1e-4, when + ": max abs difference of the probabilities " + diff);
    }
}
