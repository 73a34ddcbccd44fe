package io.tlwb.features;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tlwb.engine.CannotCompile;
import io.tlwb.engine.FrozenBase;
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
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

class FastFeaturizerTest {

    static double maxAbsDiff(INDArray a, INDArray b) {
        assertEquals(Arrays.toString(a.shape()), Arrays.toString(b.shape()));
        return Transforms.abs(a.sub(b)).maxNumber().doubleValue();
    }

    /** The engine's read-out equals the DL4J graph's to 1e-4 of the largest value (float rounding, any depth). */
    static void assertEngineMatchesGraph(PretrainedModel base, String cut, int size, Pooling pooling, INDArray images) {
        INDArray expected = new GraphFeaturizer(base, cut, size, pooling).featurize(images);
        INDArray actual = FastFeaturizer.compile(base, cut, size, pooling).featurize(images);
        double scale = expected.amaxNumber().doubleValue();
        double diff = maxAbsDiff(expected, actual);
        assertTrue(scale > 0, cut + " " + pooling + ": all-zero reference");
        assertTrue(diff <= 1e-4 * scale, cut + " " + pooling + " at " + size + " px: max abs diff " + diff
                + " of max " + scale);
    }

    @Test
    void tinyBaseFeaturesAndMapsEqualTheImportedGraph() {
        PretrainedModel base = TinyBase.create(16, 7);
        TinyBase.randomizeBatchNorms(base.graph(), 7);
        INDArray images = Nd4j.rand(DataType.FLOAT, 3, 32, 32, 3);
        assertEquals(16, FastFeaturizer.compile(base, "out_relu", 32).featureSize());
        for (Pooling pooling : Pooling.values()) {
            assertEngineMatchesGraph(base, "out_relu", 32, pooling, images);
            assertEngineMatchesGraph(base, "Conv1_relu", 32, pooling, images);
        }
    }

    @Test
    void batchSizesAndImageSizesGetTheirOwnPlansWithTheSameResults() {
        PretrainedModel base = TinyBase.residualBlock(false);
        TinyBase.randomizeBatchNorms(base.graph(), 5);
        FastFeaturizer fast = FastFeaturizer.compile(base, "out_relu", 32);
        INDArray images = Nd4j.rand(DataType.FLOAT, 5, 32, 32, 3);
        INDArray all = fast.featurize(images);
        for (int i = 0; i < 5; i++) { // batch 1, five times over: one more plan, reused
            INDArray one = fast.featurize(images.get(NDArrayIndex.interval(i, i + 1)));
            assertTrue(maxAbsDiff(all.getRow(i, true), one) <= 1e-5, "image " + i);
        }
        INDArray odd = Nd4j.rand(DataType.FLOAT, 2, 27, 27, 3);
        assertTrue(maxAbsDiff(new GraphFeaturizer(base, "out_relu", 27).featurize(odd), fast.featurize(odd)) < 1e-3);
        assertEquals(all, fast.featurize(images.dup('f')));
        // what the image pipeline hands over: an NCHW batch permuted to NHWC, strides and all
        INDArray permuted = images.permute(0, 3, 1, 2).dup('c').permute(0, 2, 3, 1);
        assertEquals(all, fast.featurize(permuted));
        assertEquals(all.get(NDArrayIndex.interval(1, 3)), fast.featurize(images.get(NDArrayIndex.interval(1, 3))));
        int threads = FrozenBase.threads();
        try {
            for (int count : new int[]{1, 3}) { // one core; more workers than chunks of the last call
                FrozenBase.useThreads(count);
                assertTrue(maxAbsDiff(all, fast.featurize(images)) <= 1e-5, count + " threads");
            }
        } finally {
            FrozenBase.useThreads(threads);
        }
    }

    @Test
    void closingAnInstanceFreesOnlyItsOwnPlans() {
        PretrainedModel base = TinyBase.residualBlock(false);
        TinyBase.randomizeBatchNorms(base.graph(), 6);
        INDArray images = Nd4j.rand(DataType.FLOAT, 3, 32, 32, 3);
        FrozenBase engine = FrozenBase.compile(base.graph(), "out_relu");
        INDArray expected = engine.pooled(images);
        FrozenBase other = engine.newInstance();
        assertEquals(expected, other.pooled(images));
        other.close();
        other.close(); // idempotent
        assertEquals(expected, engine.pooled(images), "the compiled weights and the first instance's plans remain");
        try (FrozenBase fresh = engine.newInstance()) {
            assertEquals(expected, fresh.pooled(images));
        }
        engine.close();
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
                for (Pooling pooling : Pooling.values()) {
                    INDArray expected = new GraphFeaturizer(base, cut, size, pooling).featurize(images);
                    INDArray actual = FastFeaturizer.compile(base, cut, size, pooling).featurize(images);
                    double diff = maxAbsDiff(expected, actual);
                    // random batch norm statistics make activations large: compare relative to their size
                    double scale = Math.max(1, expected.amaxNumber().doubleValue());
                    if (!(diff < 1e-4 * scale)) {
                        failures.append(cut).append(' ').append(pooling).append(" at ").append(size).append(": ")
                                .append(diff).append(" (max ").append(scale).append(")\n");
                    }
                }
            }
        }
        assertEquals("", failures.toString());
    }

    /**
     * Pooled features beside an earlier layer's maps, as fine-tuning asks for them: from one pass where the engine can
     * keep that layer as it is, from two engines where it cannot (an add writes into it, or a batch norm folds into
     * it), and the same rows either way, for every batch split.
     */
    @Test
    void pooledFeaturesWithAnEarlierLayersMapsEqualTwoSeparateEngines() {
        PretrainedModel base = TinyBase.residualBlock(false);
        TinyBase.randomizeBatchNorms(base.graph(), 12);
        assertDoesNotThrow(() -> FrozenBase.compile(base.graph(), "out_relu", "block_add"));
        assertDoesNotThrow(() -> FrozenBase.compile(base.graph(), "out_relu", "dw_relu"));
        assertThrows(CannotCompile.class, () -> FrozenBase.compile(base.graph(), "out_relu", "Conv1_relu"));
        assertThrows(CannotCompile.class, () -> FrozenBase.compile(base.graph(), "out_relu", "project_BN"));
        assertThrows(CannotCompile.class, () -> FrozenBase.compile(base.graph(), "dw_relu", "block_add"));
        StringBuilder failures = new StringBuilder();
        for (int size : new int[]{32, 27}) {
            FastFeaturizer pooled = FastFeaturizer.compile(base, "out_relu", size, Pooling.AVERAGE);
            for (int batch : new int[]{1, 5}) {
                INDArray images = Nd4j.rand(DataType.FLOAT, batch, size, size, 3);
                for (String side : new String[]{"dw_relu", "block_add", "Conv1_relu", "project_BN"}) {
                    FastFeaturizer maps = FastFeaturizer.compile(base, side, size, Pooling.NONE);
                    INDArray[] both = pooled.featurizeWith(maps, images);
                    INDArray[] expected = {pooled.featurize(images), maps.featurize(images)};
                    for (int k = 0; k < 2; k++) {
                        double scale = Math.max(1, expected[k].amaxNumber().doubleValue());
                        double diff = maxAbsDiff(expected[k], both[k]);
                        if (!(diff <= 1e-5 * scale)) {
                            failures.append(side).append(k == 0 ? " pooled" : " maps").append(" at ").append(size)
                                    .append(" px, batch ").append(batch).append(": ").append(diff).append('\n');
                        }
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
        assertEquals(expected, FastFeaturizer.compile(base, "out_relu", 32).frozenBase().macsPerImage(32));
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
        CannotCompile e = assertThrows(CannotCompile.class,
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
            double diff = maxAbsDiff(forward, FastFeaturizer.compile(base, cut, 27).featurize(images));
            assertTrue(diff < 1e-4 * scale, cut + ": " + diff);
        }
    }

    @Test
    void sharesTheCacheKeyOfTheGraphFeaturizer() {
        PretrainedModel base = TinyBase.create(16, 7);
        assertEquals(new GraphFeaturizer(base, "out_relu", 48).cacheKey(),
                FastFeaturizer.compile(base, "out_relu", 48).cacheKey());
        assertTrue(new GraphFeaturizer(base, "out_relu", 48).cacheKey()
                .endsWith("|decoding=" + io.tlwb.data.ImagePipeline.DECODING_VERSION), "the image pipeline is in the key");
    }

}
