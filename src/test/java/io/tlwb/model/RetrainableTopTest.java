package io.tlwb.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tlwb.features.GraphFeaturizer;
import io.tlwb.features.Pooling;
import io.tlwb.pretrained.PretrainedModel;
import io.tlwb.testing.TinyBase;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.ops.transforms.Transforms;

class RetrainableTopTest {

    private static final int SIZE = 32;
    private static final String FROZEN = "Conv1_relu";

    private final PretrainedModel base = TinyBase.residualBlock(false);
    private final INDArray images = Nd4j.rand(DataType.FLOAT, 6, SIZE, SIZE, 3);

    RetrainableTopTest() {
        TinyBase.randomizeBatchNorms(base.graph(), 13);
    }

    private TransferModel model() {
        return TinyBase.withUntrainedHead(base, List.of("a", "b", "c"), null,
                new HeadConfig(true, 4, 0.0, 0.0, Updater.ADAM, 1e-2), 3);
    }

    /** Activations of the frozen layer, shaped as the retrainable graph reads them. */
    private INDArray frozenActivations() {
        GraphFeaturizer featurizer = new GraphFeaturizer(base, FROZEN, SIZE, Pooling.NONE);
        long[] s = featurizer.rowShape();
        return featurizer.featurize(images).reshape('c', images.size(0), s[0], s[1], s[2]);
    }

    private static double maxRelativeDiff(INDArray expected, INDArray actual) {
        assertEquals(Arrays.toString(expected.shape()), Arrays.toString(actual.shape()));
        return Transforms.abs(expected.sub(actual)).maxNumber().doubleValue()
                / Math.max(1e-6, expected.amaxNumber().doubleValue());
    }

    @Test
    void startsFromExactlyWhatTheFullModelComputes() {
        TransferModel model = model();
        RetrainableTop top = RetrainableTop.of(model, FROZEN, new long[]{16, 16, 8}, new Adam(1e-3));
        double diff = maxRelativeDiff(model.graph().outputSingle(images), top.graph().outputSingle(frozenActivations()));
        assertTrue(diff < 1e-4, "relative difference " + diff);
    }

    @Test
    void afterTrainingTheFullModelComputesWhatTheRetrainedTopDoesAndTheLayersBelowAreUntouched() {
        TransferModel model = model();
        Map<String, INDArray> below = Map.of("Conv1", model.graph().getLayer("Conv1").params().dup(),
                "bn_Conv1", model.graph().getLayer("bn_Conv1").params().dup());
        INDArray projectBefore = model.graph().getLayer("project").params().dup();
        RetrainableTop top = RetrainableTop.of(model, FROZEN, new long[]{16, 16, 8}, new Adam(3e-2));
        INDArray activations = frozenActivations();
        INDArray labels = Nd4j.eye(3).repeat(0, 2);
        for (int i = 0; i < 5; i++) {
            top.graph().fit(new DataSet(activations, labels));
        }
        TransferModel tuned = TransferModel.assemble(base, top.retrained(model));

        double diff = maxRelativeDiff(top.graph().outputSingle(activations), tuned.graph().outputSingle(images));
        assertTrue(diff < 1e-4, "relative difference " + diff);
        below.forEach((layer, params) -> assertEquals(params, tuned.graph().getLayer(layer).params(), layer));
        assertNotEquals(projectBefore, tuned.graph().getLayer("project").params(), "the project conv was retrained");
        assertEquals(projectBefore, model.graph().getLayer("project").params(), "the starting model is unchanged");
        assertEquals(List.of("dw", "dw_BN", "project", "project_BN", "block_dw", "block_dw_BN"),
                top.changedBaseLayers());
        List<String> trained = tuned.trained().trainedLayerNames();
        assertTrue(trained.containsAll(top.changedBaseLayers())
                && trained.containsAll(TransferModel.headLayerNames(tuned.spec())), trained.toString());
    }

    @Test
    void theRetrainableGraphHasNoBatchNormsAndNoDropout() {
        ComputationGraph graph = RetrainableTop.of(model(), FROZEN, new long[]{16, 16, 8}, new Adam(1e-3)).graph();
        for (var layer : graph.getLayers()) {
            assertTrue(!(layer.conf().getLayer() instanceof org.deeplearning4j.nn.conf.layers.BatchNormalization),
                    layer.conf().getLayer().getLayerName());
            if (!layer.conf().getLayer().getLayerName().startsWith("head_")) {
                assertEquals(null, layer.conf().getLayer().getIDropout(), layer.conf().getLayer().getLayerName());
            }
        }
    }

    @Test
    void aFrozenLayerInsideAResidualBlockIsRefusedNamingTheSkipConnection() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> RetrainableTop.of(model(), "dw_relu", new long[]{16, 16, 8}, new Adam(1e-3)));
        assertTrue(e.getMessage().contains("'Conv1_relu' into 'block_add'"), e.getMessage());
        assertTrue(e.getMessage().contains("fine-tuning can start from Conv1_relu, block_add, "),
                "names the layers that would do: " + e.getMessage());
    }

    @Test
    void aConvolutionWhoseBatchNormWouldStayAboveIsRefused() {
        PretrainedModel plain = TinyBase.create(8, 3);
        var e = assertThrows(IllegalArgumentException.class,
                () -> RetrainableTop.requireBoundary(plain, plain.defaultCutLayer(), "Conv_1"));
        assertTrue(e.getMessage().startsWith("batch norm 'Conv_1_bn' above 'Conv_1' does not directly follow")
                && e.getMessage().endsWith("fine-tuning can start from bn_Conv1, Conv1_relu, Conv_1_bn"), e.getMessage());
    }

    @Test
    void aLayerThatIsNotBelowTheCutIsRefused() {
        TransferModel cutEarly = TinyBase.withUntrainedHead(base, List.of("a", "b"), "block_add",
                HeadConfig.TUTORIAL, 42);
        var e = assertThrows(IllegalArgumentException.class,
                () -> RetrainableTop.of(cutEarly, "block_add", new long[]{16, 16, 8}, new Adam(1e-3)));
        assertTrue(e.getMessage().contains("not below the cut layer 'block_add'"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> RetrainableTop.of(cutEarly, "no_such_layer", new long[]{16, 16, 8}, new Adam(1e-3)));
    }

    @Test
    void automaticFineTuningStartsAtTheResidualAddNearestBelowTheCut() {
        assertEquals(Optional.of("block_add"), RetrainableTop.nearestBlockBoundary(base, "out_relu"));
        assertEquals(Optional.empty(), RetrainableTop.nearestBlockBoundary(base, "block_add"),
                "the cut itself is no boundary");
        PretrainedModel plain = TinyBase.create(8, 3);
        assertEquals(Optional.empty(), RetrainableTop.nearestBlockBoundary(plain, plain.defaultCutLayer()));
    }
}
