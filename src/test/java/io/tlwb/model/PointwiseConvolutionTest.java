package io.tlwb.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

class PointwiseConvolutionTest {

    private static ConvolutionLayer conv(String name, int in, int out) {
        return new ConvolutionLayer.Builder(1, 1).nIn(in).nOut(out).hasBias(true).dataFormat(CNN2DFormat.NHWC)
                .activation(Activation.IDENTITY).name(name).build();
    }

    /** input → first 1×1 → second (as given) → average pool → softmax: second's input gradient reaches first. */
    private static ComputationGraph graph(Layer second) {
        return graph(conv("first", 6, 7), second);
    }

    private static ComputationGraph graph(Layer first, Layer second) {
        ComputationGraph graph = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(3).updater(new Sgd(0.1))
                .dataType(DataType.FLOAT).graphBuilder().addInputs("in")
                .setInputTypes(InputType.convolutional(4, 5, 6, CNN2DFormat.NHWC))
                .addLayer("first", first, "in")
                .addLayer("second", second, "first")
                .addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "second")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(9).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "pool")
                .setOutputs("out").build());
        graph.init();
        return graph;
    }

    @Test
    void aPointwiseConvolutionComputesAndTrainsExactlyAsDl4jsConvolutionLayer() {
        ComputationGraph reference = graph(conv("second", 7, 9));
        ComputationGraph pointwise = graph(PointwiseConvolution.of(conv("second", 7, 9), true));
        assertTrue(pointwise.getLayer("second") instanceof PointwiseConvolution.Impl);
        assertSameOutputsAndGradients(reference, pointwise);
    }

    @Test
    void aPointwiseConvolutionReadingTheInputSkipsOnlyTheInputGradientNobodyReads() {
        ComputationGraph reference = graph(conv("second", 7, 9));
        ComputationGraph pointwise = graph(PointwiseConvolution.of(conv("first", 6, 7), false),
                PointwiseConvolution.of(conv("second", 7, 9), true));
        assertSameOutputsAndGradients(reference, pointwise);
    }

    private static void assertSameOutputsAndGradients(ComputationGraph reference, ComputationGraph pointwise) {
        pointwise.setParams(reference.params().dup());
        INDArray images = Nd4j.rand(DataType.FLOAT, 3, 4, 5, 6).subi(0.5);
        INDArray labels = Nd4j.eye(3).castTo(DataType.FLOAT);

        assertArrayEquals(reference.outputSingle(images).ravel().toFloatVector(), pointwise.outputSingle(images)
                .ravel().toFloatVector(), 1e-6f);
        for (ComputationGraph graph : new ComputationGraph[] {reference, pointwise}) {
            graph.setInput(0, images);
            graph.setLabel(0, labels);
            graph.computeGradientAndScore();
        }
        assertEquals(reference.score(), pointwise.score(), 1e-6);
        // every parameter's gradient, the first layer's included (it needs the second's input gradient)
        assertArrayEquals(reference.gradient().gradient().toFloatVector(), pointwise.gradient().gradient()
                .toFloatVector(), 1e-5f);
    }

    @Test
    void onlyUnpaddedStrideOneLinearOneByOneNhwcConvolutionsAreCovered() {
        assertTrue(PointwiseConvolution.covers(conv("c", 4, 8)));
        assertFalse(PointwiseConvolution.covers(new ConvolutionLayer.Builder(3, 3).nIn(4).nOut(8)
                .dataFormat(CNN2DFormat.NHWC).activation(Activation.IDENTITY).build()));
        assertFalse(PointwiseConvolution.covers(new ConvolutionLayer.Builder(1, 1).nIn(4).nOut(8).stride(2, 2)
                .dataFormat(CNN2DFormat.NHWC).activation(Activation.IDENTITY).build()));
        assertFalse(PointwiseConvolution.covers(new ConvolutionLayer.Builder(1, 1).nIn(4).nOut(8)
                .dataFormat(CNN2DFormat.NHWC).activation(Activation.RELU).build()));
        assertFalse(PointwiseConvolution.covers(new ConvolutionLayer.Builder(1, 1).nIn(4).nOut(8)
                .dataFormat(CNN2DFormat.NCHW).activation(Activation.IDENTITY).build()));
    }
}
