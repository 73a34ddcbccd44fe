package io.tlwb.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tlwb.features.GraphFeaturizer;
import io.tlwb.pretrained.Preprocessing;
import io.tlwb.pretrained.PretrainedModel;
import io.tlwb.testing.TinyBase;
import java.nio.file.Path;
import java.util.List;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

class TransferModelTest {

    private final PretrainedModel base = TinyBase.create(16, 7);

    private HeadSpec spec(HeadConfig head) {
        return HeadSpec.of(base, List.of("a", "b", "c"), null, head, 3);
    }

    /** A model whose head is freshly initialised, for checks of its shape. */
    private TransferModel untrained(HeadConfig head) {
        HeadSpec spec = spec(head);
        return TransferModel.assemble(base, TrainedHead.of(spec, spec.newHeadGraph(Nd4j.rand(4, 16))));
    }

    @Test
    void theAssembledGraphMatchesTheTrainedHeadOnPooledFeatures() {
        HeadSpec spec = spec(new HeadConfig(true, 8, 0.2, 1e-4, Updater.ADAM, 1e-2));
        INDArray images = Nd4j.rand(5, 32, 32, 3);
        INDArray features = new GraphFeaturizer(base, "out_relu", 32).featurize(images);
        assertArrayEquals(new long[] {5, 16}, features.shape());

        ComputationGraph head = spec.newHeadGraph(features);
        INDArray labels = Nd4j.eye(3).getRows(0, 1, 2, 0, 1);
        for (int i = 0; i < 5; i++) {
            head.fit(new DataSet(features, labels));
        }
        TransferModel model = TransferModel.assemble(base, TrainedHead.of(spec, head));

        INDArray viaHead = head.outputSingle(false, features);
        INDArray viaFullGraph = model.graph().outputSingle(false, images);
        assertEquals(0.0, viaHead.sub(viaFullGraph).amaxNumber().doubleValue(), 1e-5);
    }

    @Test
    void aTrainedHeadIsAValueThatLaterTrainingOfItsGraphDoesNotChange() {
        HeadSpec spec = spec(new HeadConfig(false, 0, 0.0, 0, Updater.ADAM, 1e-1));
        INDArray features = Nd4j.rand(6, 16);
        ComputationGraph head = spec.newHeadGraph(features);
        TrainedHead before = TrainedHead.of(spec, head);
        INDArray images = Nd4j.rand(2, 32, 32, 3);
        INDArray first = TransferModel.assemble(base, before).graph().outputSingle(false, images).dup();

        head.fit(new DataSet(features, Nd4j.eye(3).getRows(0, 1, 2, 0, 1, 2)));

        assertEquals(first, TransferModel.assemble(base, before).graph().outputSingle(false, images));
    }

    @Test
    void baseLayersAreFrozenAndHeadLayersAreNamed() {
        TransferModel model = untrained(HeadConfig.TUTORIAL);
        List<String> headLayers = TransferModel.headLayerNames(model.spec());
        assertEquals(List.of("head_pool", "head_dropout", "head_output"), headLayers);
        assertEquals(List.of("head_pool", "head_standardize", "head_dropout", "head_hidden", "head_hidden_dropout",
                "head_output"), TransferModel.headLayerNames(spec(new HeadConfig(true, 8, 0.5, 0, Updater.ADAM, 1e-3))));
        for (Layer layer : model.graph().getLayers()) {
            String name = layer.conf().getLayer().getLayerName();
            boolean frozen = layer instanceof org.deeplearning4j.nn.layers.FrozenLayer;
            assertEquals(!headLayers.contains(name), frozen, name + " frozen");
        }
        assertTrue(model.graph().getConfiguration().getVertices().keySet().stream().noneMatch(v -> v.startsWith("top")),
                "the base's classifier top is removed");
    }

    @Test
    void standardizationLayerGivesZeroMeanUnitSpreadOnTrainingFeatures() {
        INDArray features = Nd4j.rand(40, 16).muli(5).addi(3);
        ComputationGraph head = spec(new HeadConfig(true, 0, 0.0, 0, Updater.ADAM, 1e-3)).newHeadGraph(features);
        INDArray standardized = head.feedForward(features, false).get("head_standardize");
        assertEquals(0.0, standardized.mean(0).amaxNumber().doubleValue(), 1e-4);
        assertEquals(1.0, standardized.std(0).meanNumber().doubleValue(), 1e-2);
    }

    @Test
    void unknownCutLayerIsRejectedWithCandidates() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> HeadSpec.of(base, List.of("a", "b"), "block_99_relu", HeadConfig.TUTORIAL, 1));
        assertTrue(e.getMessage().contains("block_99_relu") && e.getMessage().contains("out_relu"), e.getMessage());
    }

    @Test
    void cutBelowTheBottleneckReadsThatLayersChannels() {
        assertEquals(8, HeadSpec.of(base, List.of("a", "b"), "Conv1_relu", HeadConfig.TUTORIAL, 1).featureSize());
    }

    /** DL4J's transfer learning copied a biased depthwise layer's [b, W]-ordered parameters scrambled (mobilenet_v2_mid). */
    @Test
    void aBiasedDepthwiseConvolutionKeepsItsParametersInTheTransferGraph() {
        ComputationGraph graph = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(1).graphBuilder()
                .addInputs("input_1")
                .setInputTypes(InputType.convolutional(8, 8, 3, CNN2DFormat.NHWC))
                .addLayer("out_relu", new DepthwiseConvolution2D.Builder(3, 3).depthMultiplier(1).nOut(3)
                        .convolutionMode(ConvolutionMode.Same).dataFormat(CNN2DFormat.NHWC)
                        .activation(Activation.IDENTITY).hasBias(true).build(), "input_1")
                .setOutputs("out_relu")
                .build());
        graph.init();
        graph.getLayer("out_relu").setParam("b", Nd4j.createFromArray(new float[][]{{1f, 2f, 3f}}));
        PretrainedModel dw = new PretrainedModel("test:dw", graph, Path.of("dw.h5"), "3".repeat(64), 8,
                Preprocessing.ZERO_TO_ONE, "out_relu");
        HeadSpec spec = HeadSpec.of(dw, List.of("a", "b"), null, HeadConfig.TUTORIAL, 1);
        TransferModel model = TransferModel.assemble(dw, TrainedHead.of(spec, spec.newHeadGraph(Nd4j.rand(2, 3))));
        for (String p : List.of("W", "b")) {
            assertEquals(graph.getLayer("out_relu").getParam(p), model.graph().getLayer("out_relu").getParam(p), p);
        }
    }

    @Test
    void withoutACutLayerTheModelCutsWhereItsBaseSays() {
        assertEquals("out_relu", HeadSpec.of(base, List.of("a", "b"), null, HeadConfig.TUTORIAL, 1).cutLayer());
        PretrainedModel cutLower = new PretrainedModel("test:lower", nsfwjsShapedGraph(), Path.of("n.h5"),
                "0".repeat(64), 32, Preprocessing.ZERO_TO_ONE, "out_relu", "block_13_expand_relu");
        HeadSpec spec = HeadSpec.of(cutLower, List.of("a", "b"), null, HeadConfig.TUTORIAL, 1);
        assertEquals("block_13_expand_relu", spec.cutLayer());
        assertEquals(6, spec.featureSize());
    }

    /** Two conv blocks named like MobileNetV2's block_13 expansion and bottleneck. */
    private static ComputationGraph nsfwjsShapedGraph() {
        var conf = new NeuralNetConfiguration.Builder().seed(1).graphBuilder()
                .addInputs("input_1")
                .setInputTypes(InputType.convolutional(32, 32, 3, CNN2DFormat.NHWC))
                .addLayer("block_13_expand_relu", new ConvolutionLayer.Builder(3, 3).stride(2, 2).nOut(6)
                        .dataFormat(CNN2DFormat.NHWC).activation(Activation.RELU).build(), "input_1")
                .addLayer("out_relu", new ConvolutionLayer.Builder(1, 1).nOut(10)
                        .dataFormat(CNN2DFormat.NHWC).activation(Activation.RELU).build(), "block_13_expand_relu")
                .setOutputs("out_relu")
                .build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        return graph;
    }
}
