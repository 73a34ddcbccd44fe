package io.tlwb.testing;

import io.tlwb.model.HeadConfig;
import io.tlwb.model.HeadSpec;
import io.tlwb.model.TrainedHead;
import io.tlwb.model.TransferModel;
import io.tlwb.pretrained.Preprocessing;
import io.tlwb.pretrained.PretrainedModel;
import java.nio.file.Path;
import java.util.List;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * A tiny stand-in for an imported MobileNetV2: NHWC, conv + batch norm + ReLU blocks with Keras-like names, a
 * bottleneck called {@code out_relu} and a classifier top. Lets model and training tests run in milliseconds.
 */
public final class TinyBase {

    private TinyBase() {
    }

    public static PretrainedModel create(int channels, long seed) {
        NeuralNetConfiguration.Builder nn = new NeuralNetConfiguration.Builder().seed(seed);
        ComputationGraphConfiguration conf = nn.graphBuilder()
                .addInputs("input_1")
                .setInputTypes(InputType.convolutional(32, 32, 3, CNN2DFormat.NHWC))
                .addLayer("Conv1", conv(8, 2), "input_1")
                .addLayer("bn_Conv1", new BatchNormalization.Builder().dataFormat(CNN2DFormat.NHWC).build(), "Conv1")
                .addLayer("Conv1_relu", new ActivationLayer(Activation.RELU), "bn_Conv1")
                .addLayer("Conv_1", conv(channels, 1), "Conv1_relu")
                .addLayer("Conv_1_bn", new BatchNormalization.Builder().dataFormat(CNN2DFormat.NHWC).build(), "Conv_1")
                .addLayer("out_relu", new ActivationLayer(Activation.RELU), "Conv_1_bn")
                .addLayer("top_pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).poolingDimensions(1, 2).build(),
                        "out_relu")
                .addLayer("top", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(5)
                        .activation(Activation.SOFTMAX).build(), "top_pool")
                .setOutputs("top")
                .build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        return new PretrainedModel("test:tiny", graph, Path.of("tiny.h5"), "0".repeat(64), 32,
                Preprocessing.ZERO_TO_ONE, "out_relu");
    }

    private static ConvolutionLayer conv(int filters, int stride) {
        return new ConvolutionLayer.Builder(3, 3).stride(stride, stride).nOut(filters)
                .dataFormat(CNN2DFormat.NHWC).activation(Activation.IDENTITY).hasBias(false).build();
    }

    /** Gives every batch norm of {@code graph} non-trivial statistics, so folding them is really exercised. */
    public static void randomizeBatchNorms(ComputationGraph graph, long seed) {
        Nd4j.getRandom().setSeed(seed);
        for (org.deeplearning4j.nn.api.Layer layer : graph.getLayers()) {
            if (layer.conf().getLayer() instanceof BatchNormalization) {
                long n = layer.getParam("mean").length();
                layer.setParam("mean", Nd4j.randn(DataType.FLOAT, 1, n).muli(0.5));
                if (layer.paramTable().containsKey("var")) {
                    layer.setParam("var", Nd4j.rand(DataType.FLOAT, 1, n).addi(0.2));
                } else {
                    layer.setParam("log10stdev", Nd4j.rand(DataType.FLOAT, 1, n).subi(0.5));
                }
                layer.setParam("gamma", Nd4j.randn(DataType.FLOAT, 1, n));
                layer.setParam("beta", Nd4j.randn(DataType.FLOAT, 1, n).muli(0.3));
            }
        }
    }

    /**
     * A MobileNetV2-like block: ZeroPadding2D ((0,1),(0,1)) + stride-2 'valid' conv, depthwise conv in Same mode,
     * ReLU6, a 1x1 project and a residual Add, then a stride-2 depthwise conv to {@code out_relu}.
     */
    public static PretrainedModel residualBlock(boolean depthwiseBias) {
        ActivationReLU relu6 = new ActivationReLU(6.0, 0.0, 0.0);
        ComputationGraph graph = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(5).graphBuilder()
                .addInputs("input_1")
                .setInputTypes(InputType.convolutional(32, 32, 3, CNN2DFormat.NHWC))
                .addLayer("Conv1_pad", new ZeroPaddingLayer.Builder(0, 1, 0, 1).dataFormat(CNN2DFormat.NHWC).build(),
                        "input_1")
                .addLayer("Conv1", conv(8, 3, 2, ConvolutionMode.Truncate), "Conv1_pad")
                .addLayer("bn_Conv1", bn(), "Conv1")
                .addLayer("Conv1_relu", new ActivationLayer(relu6), "bn_Conv1")
                .addLayer("dw", new DepthwiseConvolution2D.Builder(3, 3).depthMultiplier(1).nOut(8)
                        .convolutionMode(ConvolutionMode.Same).dataFormat(CNN2DFormat.NHWC)
                        .activation(Activation.IDENTITY).hasBias(depthwiseBias).build(), "Conv1_relu")
                .addLayer("dw_BN", bn(), "dw")
                .addLayer("dw_relu", new ActivationLayer(relu6), "dw_BN")
                .addLayer("project", conv(8, 1, 1, ConvolutionMode.Same), "dw_relu")
                .addLayer("project_BN", bn(), "project")
                .addVertex("block_add", new ElementWiseVertex(ElementWiseVertex.Op.Add), "Conv1_relu", "project_BN")
                .addLayer("block_pad", new ZeroPaddingLayer.Builder(0, 1, 0, 1).dataFormat(CNN2DFormat.NHWC).build(),
                        "block_add")
                .addLayer("block_dw", new DepthwiseConvolution2D.Builder(3, 3).depthMultiplier(2).nOut(16)
                        .stride(2, 2).convolutionMode(ConvolutionMode.Truncate).dataFormat(CNN2DFormat.NHWC)
                        .activation(Activation.IDENTITY).hasBias(false).build(), "block_pad")
                .addLayer("block_dw_BN", bn(), "block_dw")
                .addLayer("out_relu", new ActivationLayer(relu6), "block_dw_BN")
                .setOutputs("out_relu")
                .build());
        graph.init();
        Nd4j.getRandom().setSeed(3);

        return new PretrainedModel("test:block", graph, Path.of("block.h5"), "2".repeat(64), 32,
                Preprocessing.ZERO_TO_ONE, "out_relu");
    }

    /** A bias-free NHWC convolution, as Keras MobileNetV2 has them before each batch norm. */
    public static ConvolutionLayer conv(int filters, int kernel, int stride, ConvolutionMode mode) {
        return new ConvolutionLayer.Builder(kernel, kernel).stride(stride, stride).nOut(filters).convolutionMode(mode)
                .dataFormat(CNN2DFormat.NHWC).activation(Activation.IDENTITY).hasBias(false).build();
    }

    private static BatchNormalization bn() {
        return new BatchNormalization.Builder().dataFormat(CNN2DFormat.NHWC).build();
    }

    /** {@code base} cut at {@code cutLayer} (null: its default) under a freshly initialised head: a model to check. */
    public static TransferModel withUntrainedHead(PretrainedModel base, List<String> classes, String cutLayer,
                                                  HeadConfig head, long seed) {
        HeadSpec spec = HeadSpec.of(base, classes, cutLayer, head, seed);
        Nd4j.getRandom().setSeed(seed);
        return TransferModel.assemble(base, TrainedHead.of(spec, spec.newHeadGraph(Nd4j.rand(DataType.FLOAT, 4,
                spec.featureSize()))));
    }
}
