package io.tlwb.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tlwb.pretrained.Preprocessing;
import io.tlwb.pretrained.PretrainedModel;
import io.tlwb.testing.TinyBase;
import java.nio.file.Path;
import java.util.Arrays;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

class FastFeaturizerTest {

    static double maxAbsDiff(INDArray a, INDArray b) {
        assertEquals(Arrays.toString(a.shape()), Arrays.toString(b.shape()));
        return Transforms.abs(a.sub(b)).maxNumber().doubleValue();
    }

    @Test
    void tinyBaseFeaturesEqualTheImportedGraphInBothLayouts() {
        PretrainedModel base = TinyBase.create(16, 7);
        TinyBase.randomizeBatchNorms(base.graph(), 7);
        INDArray images = Nd4j.rand(DataType.FLOAT, 3, 32, 32, 3);
        INDArray expected = new GraphFeaturizer(base, "out_relu", 32).featurize(images);
        for (FoldedNet.Layout layout : FoldedNet.Layout.values()) {
            FastFeaturizer fast = FastFeaturizer.compile(base, "out_relu", 32, layout);
            assertEquals(16, fast.featureSize());
            assertTrue(maxAbsDiff(expected, fast.featurize(images)) < 1e-4, layout.toString());
        }
        INDArray early = new GraphFeaturizer(base, "Conv1_relu", 32).featurize(images);
        assertTrue(maxAbsDiff(early, FastFeaturizer.compile(base, "Conv1_relu", 32).featurize(images)) < 1e-4);
    }

    /**
     * A MobileNetV2-like block: ZeroPadding2D ((0,1),(0,1)) + stride-2 'valid' conv, depthwise conv in Same mode,
     * ReLU6, a 1x1 project and a residual Add; odd and even input sizes take the SAME and explicit-pad paths.
     */
    @Test
    void paddingDepthwiseRelu6AndResidualAddMatchAtEvenAndOddSizes() {
        PretrainedModel base = TinyBase.residualBlock(false);
        TinyBase.randomizeBatchNorms(base.graph(), 11);
        StringBuilder failures = new StringBuilder();
        for (int size : new int[]{32, 27}) {
            INDArray images = Nd4j.rand(DataType.FLOAT, 2, size, size, 3);
            for (String cut : new String[]{"Conv1_relu", "dw_relu", "project_BN", "block_add", "block_dw", "out_relu"}) {
                INDArray expected = new GraphFeaturizer(base, cut, size).featurize(images);
                for (FoldedNet.Layout layout : FoldedNet.Layout.values()) {
                    INDArray actual = FastFeaturizer.compile(base, cut, size, layout).featurize(images);
                    double diff = maxAbsDiff(expected, actual);
                    // random batch norm statistics make activations large: compare relative to their size
                    double scale = Math.max(1, expected.amaxNumber().doubleValue());
                    if (!(diff < 1e-4 * scale)) {
                        failures.append(cut).append(' ').append(layout).append(" at ").append(size).append(": ")
                                .append(diff).append(" (max ").append(scale).append(")\n");
                    }
                }
            }
        }
        assertEquals("", failures.toString());
    }

    @Test
    void macsAreCountedFromTheConvolutionShapes() {
        PretrainedModel base = TinyBase.create(16, 7);
        // Conv1: 3x3 s2 valid on 32 -> 15x15, 3->8; Conv_1: 3x3 s1 valid on 15 -> 13x13, 8->16
        long expected = 15L * 15 * 9 * 3 * 8 + 13L * 13 * 9 * 8 * 16;
        assertEquals(expected, FastFeaturizer.compile(base, "out_relu", 32).macsPerImage(32));
    }

    @Test
    void graphsWithLayersItCannotRunFallBackToTheDl4jGraph() {
        ComputationGraph graph = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(1).graphBuilder()
                .addInputs("input_1")
                .setInputTypes(InputType.convolutional(16, 16, 3, CNN2DFormat.NHWC))
                .addLayer("pool", new SubsamplingLayer.Builder(2, 2).stride(2, 2).dataFormat(CNN2DFormat.NHWC).build(),
                        "input_1")
                .addLayer("out_relu", TinyBase.conv(4, 1, 1, ConvolutionMode.Truncate), "pool")
                .setOutputs("out_relu")
                .build());
        graph.init();
        PretrainedModel base = new PretrainedModel("test:pool", graph, Path.of("pool.h5"), "1".repeat(64), 16,
                Preprocessing.ZERO_TO_ONE, "out_relu");
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> FastFeaturizer.compile(base, "out_relu", 16));
        assertTrue(e.getMessage().contains("'pool'"), e.getMessage());
        assertInstanceOf(GraphFeaturizer.class, Featurizers.create(base, "out_relu", 16));
        assertInstanceOf(FastFeaturizer.class, Featurizers.create(TinyBase.create(8, 1), "out_relu", 32));
    }

    /**
     * A depthwise convolution with a bias (the nsfwjs mobilenet_v2_mid graph has them, batch norm folded), against the
     * graph's own forward pass and the cut graph, whose transfer-learning copy once scrambled that layer's parameters.
     */
    @Test
    void aDepthwiseConvolutionWithBiasMatchesTheDl4jGraph() {
        PretrainedModel base = TinyBase.residualBlock(true);
        TinyBase.randomizeBatchNorms(base.graph(), 13);
        INDArray bias = base.graph().getLayer("dw").getParam("b");
        base.graph().getLayer("dw").setParam("b", Nd4j.randn(DataType.FLOAT, bias.shape()));
        INDArray images = Nd4j.rand(DataType.FLOAT, 2, 27, 27, 3);
        for (String cut : new String[]{"dw", "project_BN", "out_relu"}) { // not the inputs of in-place activations
            INDArray forward = base.graph().feedForward(images, false).get(cut).mean(1, 2);
            INDArray cutGraph = new GraphFeaturizer(base, cut, 27).featurize(images);
            double scale = Math.max(1, forward.amaxNumber().doubleValue());
            assertTrue(maxAbsDiff(forward, cutGraph) < 1e-4 * scale, cut + " cut graph: " + maxAbsDiff(forward, cutGraph));
            for (FoldedNet.Layout layout : FoldedNet.Layout.values()) {
                double diff = maxAbsDiff(forward, FastFeaturizer.compile(base, cut, 27, layout).featurize(images));
                assertTrue(diff < 1e-4 * scale, cut + " " + layout + ": " + diff);
            }
        }
    }

    @Test
    void sharesTheCacheKeyOfTheGraphFeaturizer() {
        PretrainedModel base = TinyBase.create(16, 7);
        assertEquals(new GraphFeaturizer(base, "out_relu", 48).cacheKey(),
                FastFeaturizer.compile(base, "out_relu", 48).cacheKey());
    }

}
