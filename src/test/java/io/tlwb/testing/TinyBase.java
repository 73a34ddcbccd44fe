package io.tlwb.testing;

import io.tlwb.pretrained.Preprocessing;
import io.tlwb.pretrained.PretrainedModel;
import java.nio.file.Path;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
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
}
