package io.tlwb.model;

import io.tlwb.engine.Sgemm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BiasAdd;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

/**
 * A 1×1, stride-1, unpadded NHWC convolution (MobileNetV2's expand and project layers) that trains as what it is: one
 * matrix product over the pixels. DL4J M2.1's convolution layer runs {@code im2col} even for a 1×1 kernel and lets
 * its products write results in the order ND4J's GEMM is slowest at (measured in docs/engine.md); this one runs every
 * product through oneDNN's sgemm ({@link Sgemm}), and has the same parameters ({@code W} {@code [out, in, 1, 1]},
 * {@code b}) and the same outputs and gradients (tested). Used only inside fine-tuning's trainable graph
 * ({@link RetrainableTop}); what it retrains goes back into ordinary DL4J layers.
 */
final class PointwiseConvolution extends ConvolutionLayer {

    /**
     * Whether the backward pass computes the gradient of the input: not for a layer reading the trainable graph's
     * input (the cached maps), where that product, a third of the layer's work, would go unused.
     */
    private boolean inputGradient = true;

    /** For Jackson, which copies a convolution's configuration into one of these ({@link #of}). */
    PointwiseConvolution() {
    }

    public boolean isInputGradient() {
        return inputGradient;
    }

    public void setInputGradient(boolean inputGradient) {
        this.inputGradient = inputGradient;
    }

    /** Whether {@code layer} is a convolution this class computes exactly: 1×1, stride 1, no padding, NHWC, linear. */
    static boolean covers(Layer layer) {
        return layer instanceof ConvolutionLayer conv && layer.getClass() == ConvolutionLayer.class
                && Arrays.equals(conv.getKernelSize(), new int[] {1, 1})
                && Arrays.equals(conv.getStride(), new int[] {1, 1})
                && Arrays.equals(conv.getPadding(), new int[] {0, 0})
                && Arrays.equals(conv.getDilation(), new int[] {1, 1})
                && conv.getCnn2dDataFormat() == CNN2DFormat.NHWC
                && conv.getActivationFn() instanceof ActivationIdentity;
    }

    /**
     * {@code conv}'s whole configuration (name, sizes, updater, ...) as a pointwise convolution.
     *
     * @param inputGradient whether anything below needs the gradient of the layer's input
     */
    static PointwiseConvolution of(ConvolutionLayer conv, boolean inputGradient) {
        try {
            var mapper = NeuralNetConfiguration.mapper();
            ObjectNode json = mapper.valueToTree(conv);
            json.put("@class", PointwiseConvolution.class.getName());
            PointwiseConvolution pointwise = (PointwiseConvolution) mapper.treeToValue(json, Layer.class);
            pointwise.setInputGradient(inputGradient);
            return pointwise;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the configuration of " + conv.getLayerName(), e);
        }
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
                                                        Collection<TrainingListener> listeners, int layerIndex,
                                                        INDArray layerParamsView, boolean initializeParams,
                                                        DataType networkDataType) {
        LayerValidation.assertNInNOutSet("PointwiseConvolution", getLayerName(), layerIndex, getNIn(), getNOut());
        Impl layer = new Impl(conf, networkDataType);
        layer.setListeners(listeners);
        layer.setIndex(layerIndex);
        layer.setParamsViewArray(layerParamsView);
        ParamInitializer initializer = initializer();
        Map<String, INDArray> params = initializer.init(conf, layerParamsView, initializeParams);
        layer.setParamTable(params);
        layer.setConf(conf);
        return layer;
    }

    /** The layer itself: rows of pixels times the kernel matrix, each product one sgemm call. */
    static final class Impl extends org.deeplearning4j.nn.layers.convolution.ConvolutionLayer {

        Impl(NeuralNetConfiguration conf, DataType dataType) {
            super(conf, dataType);
        }

        @Override
        public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
            assertInputSet(false);
            long[] shape = input.shape(); // [batch, h, w, in]
            long pixels = shape[0] * shape[1] * shape[2];
            INDArray rows = rows(input, pixels);
            INDArray kernel = kernel(getParamWithNoise(ConvolutionParamInitializer.WEIGHT_KEY, training,
                    workspaceMgr));
            long out = kernel.rows();
            INDArray output = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, dataType,
                    new long[] {shape[0], shape[1], shape[2], out}, 'c');
            Sgemm.multiply(rows, false, kernel, true, output.reshape('c', pixels, out)); // rows · kernelᵀ
            if (hasBias()) {
                INDArray bias = getParamWithNoise(ConvolutionParamInitializer.BIAS_KEY, training, workspaceMgr);
                Nd4j.exec(new BiasAdd(output, bias.reshape(out), output, false));
            }
            return output;
        }

        @Override
        public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
            assertInputSet(true);
            long[] shape = input.shape();
            long pixels = shape[0] * shape[1] * shape[2];
            INDArray rows = rows(input, pixels);
            INDArray delta = rows(epsilon, pixels); // [pixels, out]: the activation is the identity
            INDArray kernel = kernel(getParamWithNoise(ConvolutionParamInitializer.WEIGHT_KEY, true, workspaceMgr));

            INDArray weightGradient = gradientViews.get(ConvolutionParamInitializer.WEIGHT_KEY);
            Sgemm.multiply(delta, true, rows, false, kernel(weightGradient)); // dW [out, in] = deltaᵀ · rows
            Gradient gradient = new DefaultGradient();
            if (hasBias()) {
                INDArray biasGradient = gradientViews.get(ConvolutionParamInitializer.BIAS_KEY);
                delta.sum(biasGradient.reshape(delta.columns()), 0);
                gradient.setGradientFor(ConvolutionParamInitializer.BIAS_KEY, biasGradient);
            }
            gradient.setGradientFor(ConvolutionParamInitializer.WEIGHT_KEY, weightGradient, 'c');
            weightNoiseParams.clear();
            if (!((PointwiseConvolution) layerConf()).isInputGradient()) {
                return new Pair<>(gradient, null); // DL4J takes a null input gradient, as from a frozen layer
            }

            INDArray epsilonNext = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, shape, 'c');
            Sgemm.multiply(delta, false, kernel, false, epsilonNext.reshape('c', pixels, shape[3])); // delta · kernel
            return new Pair<>(gradient, backpropDropOutIfPresent(epsilonNext));
        }

        /** {@code [batch, h, w, c]} as dense {@code [pixels, c]} rows: a view when the array is dense C order. */
        private static INDArray rows(INDArray nhwc, long pixels) {
            INDArray rows = nhwc.reshape('c', pixels, nhwc.size(3));
            return rows.ordering() == 'c' && Shape.hasDefaultStridesForShape(rows) ? rows : rows.dup('c');
        }

        /** {@code W [out, in, 1, 1]} as the {@code [out, in]} matrix it is (a view). */
        private static INDArray kernel(INDArray weights) {
            return weights.reshape('c', weights.size(0), weights.size(1));
        }
    }
}
