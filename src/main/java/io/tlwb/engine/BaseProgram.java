package io.tlwb.engine;

import io.tlwb.model.BatchNormFold;
import io.tlwb.model.GraphSurgery;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationReLU6;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The frozen part of an imported graph reduced to what a convolution engine runs: a list of convolutions, each with
 * its batch norm folded in (weights scaled, bias added), any zero padding before it merged into its own padding, and
 * what follows it (ReLU/ReLU6, a residual add) as post-ops. Values are numbered: 0 is the network input, value
 * {@code i + 1} the output of {@link #convs()}{@code [i]}; a convolution with {@link Conv#sumInto()} writes into that
 * earlier value's buffer instead (the residual add, in place). Immutable once compiled: plans for any batch and image
 * size are built from it.
 *
 * <p>Only the vertices the cut layer depends on are compiled. Anything else on that path (a layer type this class
 * does not know, a preprocessor, a non-Add merge, an add or activation it cannot attach to a convolution) is refused
 * with {@link CannotCompile}, naming the vertex.
 */
record BaseProgram(List<Conv> convs, int outputChannels, String description, SideMaps sideMaps) {

    /**
     * An earlier layer's activation maps read out on the way to the cut: {@code value} is complete once
     * {@code convs[afterConv]} has run, and nothing writes it after that.
     */
    record SideMaps(int value, int afterConv, int channels) {
    }

    /** An activation applied as a post-op: clip to {@code [0, max]}, or plain ReLU when {@code max} is 0. */
    record Activation(double max) {
        static Activation of(String layer, IActivation fn) {
            if (fn instanceof ActivationReLU6) {
                return new Activation(6);
            }
            if (fn instanceof ActivationReLU relu) {
                boolean plainBelow = (relu.getThreshold() == null || relu.getThreshold() == 0)
                        && (relu.getNegativeSlope() == null || relu.getNegativeSlope() == 0);
                if (plainBelow) {
                    return new Activation(relu.getMax() == null ? 0 : relu.getMax());
                }
            }
            throw new CannotCompile("layer '" + layer + "' has activation " + fn + "; only identity, ReLU and ReLU6 "
                    + "are compiled");
        }
    }

    /** What runs after a convolution, in order: an activation, or adding the old content of the destination. */
    sealed interface PostOp permits Clip, Sum {
    }

    record Clip(Activation activation) implements PostOp {
    }

    record Sum() implements PostOp {
    }

    /**
     * One convolution. Weights are float, {@code oihw} ({@code [oC, iC, kH, kW]}) or, when {@code groups > 0}
     * (depthwise), {@code goihw} ({@code [iC, m, 1, kH, kW]}). Padding is either TF's SAME for the input at hand
     * ({@code same}) or explicit; {@code extraPad} (top, bottom, left, right) comes from a merged ZeroPadding2D.
     */
    record Conv(String name, int input, int sumInto, int inChannels, int outChannels, int groups, int[] kernel,
                int[] stride, int[] dilation, boolean same, int[] pad, int[] extraPad, float[] weights, float[] bias,
                List<PostOp> postOps) {

        /** Padding {top, bottom, left, right} for an input of {@code h x w}. */
        int[] padding(long h, long w) {
            int[] p = same ? samePadding(h, w) : new int[]{pad[0], pad[0], pad[1], pad[1]};
            return new int[]{p[0] + extraPad[0], p[1] + extraPad[1], p[2] + extraPad[2], p[3] + extraPad[3]};
        }

        private int[] samePadding(long h, long w) {
            long[] ph = sameAxis(h + extraPad[0] + extraPad[1], kernel[0], stride[0], dilation[0]);
            long[] pw = sameAxis(w + extraPad[2] + extraPad[3], kernel[1], stride[1], dilation[1]);
            return new int[]{(int) ph[0], (int) ph[1], (int) pw[0], (int) pw[1]};
        }

        /** TF SAME padding (before, after) for one axis. */
        private static long[] sameAxis(long n, int k, int s, int d) {
            long out = (n + s - 1) / s;
            long ek = (long) (k - 1) * d + 1;
            long total = Math.max((out - 1) * s + ek - n, 0);
            return new long[]{total / 2, total - total / 2};
        }

        /** Whether, on an input of {@code h x w}, it reads only the pixels it writes: 1x1, stride 1, unpadded. */
        boolean pointwise(long h, long w) {
            return Arrays.equals(kernel, new int[]{1, 1}) && Arrays.equals(stride, new int[]{1, 1})
                    && Arrays.equals(padding(h, w), new int[4]);
        }

        /** Output {h, w} for an input of {@code h x w}. */
        long[] outputSize(long h, long w) {
            int[] p = padding(h, w);
            long ekH = (long) (kernel[0] - 1) * dilation[0] + 1;
            long ekW = (long) (kernel[1] - 1) * dilation[1] + 1;
            return new long[]{(h + p[0] + p[1] - ekH) / stride[0] + 1, (w + p[2] + p[3] - ekW) / stride[1] + 1};
        }

        long macsPerOutputPixel() {
            long perOutput = (long) kernel[0] * kernel[1] * (groups > 0 ? 1 : inChannels);
            return perOutput * outChannels;
        }
    }

    /** Spatial size {h, w} of every value for an input of {@code h x w}: index 0 the input. */
    long[][] valueSizes(long h, long w) {
        long[][] sizes = new long[convs.size() + 1][];
        sizes[0] = new long[]{h, w};
        for (int i = 0; i < convs.size(); i++) {
            Conv conv = convs.get(i);
            long[] in = sizes[conv.input()];
            sizes[i + 1] = conv.outputSize(in[0], in[1]);
        }
        return sizes;
    }

    /** Multiply-accumulates per image at {@code h x w} input, counted from the convolutions. */
    long macsPerImage(long h, long w) {
        long[][] sizes = valueSizes(h, w);
        long macs = 0;
        for (int i = 0; i < convs.size(); i++) {
            macs += sizes[i + 1][0] * sizes[i + 1][1] * convs.get(i).macsPerOutputPixel();
        }
        return macs;
    }

    /** The value the cut layer is: the last convolution's output, or the value it adds into. */
    int outputValue() {
        Conv last = convs.get(convs.size() - 1);
        return last.sumInto() > 0 ? last.sumInto() : convs.size();
    }

    /**
     * Compiles the part of {@code graph} that {@code cutLayer} depends on.
     *
     * @throws CannotCompile naming the first vertex on that path the engine cannot run exactly
     */
    static BaseProgram compile(ComputationGraph graph, String cutLayer) {
        return new Compiler(graph, cutLayer, null).compile();
    }

    /**
     * As {@link #compile(ComputationGraph, String)}, also reading out the maps of {@code sideLayer}, a layer the cut
     * depends on, in the same pass: nothing is fused into it or added into it in place.
     *
     * @throws CannotCompile also when {@code sideLayer} is not on the way to the cut or not a convolution's output
     */
    static BaseProgram compile(ComputationGraph graph, String cutLayer, String sideLayer) {
        return new Compiler(graph, cutLayer, sideLayer).compile();
    }

    /** Walks the graph once, in topological order, turning layers into convolutions and post-ops. */
    private static final class Compiler {
        private final ComputationGraph graph;
        private final ComputationGraphConfiguration conf;
        private final String cutLayer;
        /** The layer read out on the way, or null. */
        private final String sideLayer;
        /** Its value once compiled (-1 before): kept as it is from then on. */
        private int sideValue = -1;
        /** The last convolution writing {@link #sideValue}. */
        private int sideAfterConv = -1;
        private final Map<String, List<String>> inputs;
        private final Set<String> needed;
        private final Map<String, Integer> readers = new HashMap<>();
        /** What a vertex's value is: a pending pad, or a value number. */
        private final Map<String, Object> valueOf = new HashMap<>();
        private final List<MutableConv> convs = new ArrayList<>();
        private int folded;
        private int fused;
        private int adds;

        Compiler(ComputationGraph graph, String cutLayer, String sideLayer) {
            this.graph = graph;
            this.conf = graph.getConfiguration();
            this.cutLayer = cutLayer;
            this.sideLayer = sideLayer;
            this.inputs = conf.getVertexInputs();
            this.needed = GraphSurgery.ancestorsOf(conf, cutLayer);
        }

        BaseProgram compile() {
            if (!conf.getVertices().containsKey(cutLayer) && !conf.getNetworkInputs().contains(cutLayer)) {
                throw new CannotCompile("cut layer '" + cutLayer + "' is not in the graph");
            }
            if (conf.getNetworkInputs().size() != 1) {
                throw new CannotCompile("graph has " + conf.getNetworkInputs().size() + " inputs; expected one image");
            }
            String input = conf.getNetworkInputs().get(0);
            if (sideLayer != null && (sideLayer.equals(cutLayer) || !needed.contains(sideLayer))) {
                throw new CannotCompile("layer '" + sideLayer + "' is not computed on the way to '" + cutLayer + "'");
            }
            List<String> order = new ArrayList<>();
            for (int index : graph.topologicalSortOrder()) {
                String name = graph.getVertices()[index].getVertexName();
                if (needed.contains(name)) {
                    order.add(name);
                }
            }
            for (String name : order) {
                for (String in : inputs.getOrDefault(name, List.of())) {
                    readers.merge(in, 1, Integer::sum);
                }
            }
            for (String name : order) {
                if (name.equals(input)) {
                    valueOf.put(name, 0);
                } else {
                    compileVertex(name);
                }
                if (name.equals(sideLayer)) {
                    keepAsSideMaps(name);
                }
            }
            if (!(valueOf.get(cutLayer) instanceof Integer out) || out == 0) {
                throw new CannotCompile("cut layer '" + cutLayer + "' is not computed by a convolution");
            }
            List<Conv> frozen = convs.stream().map(MutableConv::freeze).toList();
            SideMaps sideMaps = sideLayer == null ? null
                    : new SideMaps(sideValue, sideAfterConv, frozen.get(sideValue - 1).outChannels());
            BaseProgram program = new BaseProgram(frozen, frozen.get(out - 1).outChannels(), String.format(Locale.ROOT,
                    "%d convolutions (%d batch norms folded, %d activations and %d adds fused)", frozen.size(),
                    folded, fused, adds), sideMaps);
            if (program.outputValue() != out) {
                throw new CannotCompile("cut layer '" + cutLayer + "' is not the last computed value");
            }
            return program;
        }

        private void compileVertex(String name) {
            GraphVertex vertex = GraphSurgery.unfrozen(conf.getVertices().get(name));
            List<String> ins = inputs.getOrDefault(name, List.of());
            if (vertex instanceof ElementWiseVertex ew) {
                if (ew.getOp() != ElementWiseVertex.Op.Add || ins.size() != 2) {
                    throw new CannotCompile("vertex '" + name + "' is an element-wise " + ew.getOp() + " of "
                            + ins.size() + " inputs; only two-input Add is compiled");
                }
                compileAdd(name, ins);
                return;
            }
            if (!(vertex instanceof LayerVertex lv)) {
                throw new CannotCompile("vertex '" + name + "' is a " + vertex.getClass().getSimpleName());
            }
            if (lv.getPreProcessor() != null) {
                throw new CannotCompile("layer '" + name + "' has an input preprocessor " + lv.getPreProcessor());
            }
            if (ins.size() != 1) {
                throw new CannotCompile("layer '" + name + "' has " + ins.size() + " inputs");
            }
            Layer layer = GraphSurgery.unfrozen(lv.getLayerConf().getLayer());
            String from = ins.get(0);
            Object source = valueOf.get(from);
            Map<String, INDArray> params = graph.getLayer(name).paramTable(false);
            if (layer instanceof ZeroPaddingLayer zp) {
                if (!(source instanceof Integer) || !onlyReaderIsNext(from)) {
                    throw new CannotCompile("zero padding '" + name + "' is not merged into one convolution");
                }
                int[] p = zp.getPadding();
                valueOf.put(name, new PendingPad((Integer) source, p));
            } else if (layer instanceof ConvolutionLayer conv) {
                compileConv(name, conv, params, source, from);
            } else if (layer instanceof BatchNormalization bn) {
                MutableConv conv = fusableConv(from, "batch norm '" + name + "'");
                if (!conv.postOps.isEmpty()) {
                    throw new CannotCompile("batch norm '" + name + "' follows an activation or add");
                }
                conv.foldBatchNorm(name, bn, params);
                folded++;
                valueOf.put(name, source);
            } else if (layer instanceof ActivationLayer act) {
                if (act.getActivationFn() instanceof ActivationIdentity) {
                    valueOf.put(name, source);
                    return;
                }
                MutableConv conv = fusableConv(from, "activation '" + name + "'");
                conv.postOps.add(new Clip(Activation.of(name, act.getActivationFn())));
                fused++;
                valueOf.put(name, source);
            } else {
                throw new CannotCompile("layer '" + name + "' is a " + layer.getClass().getSimpleName());
            }
        }

        private void keepAsSideMaps(String name) {
            if (!(valueOf.get(name) instanceof Integer v) || v == 0) {
                throw new CannotCompile("layer '" + name + "' is not computed by a convolution");
            }
            sideValue = v;
            sideAfterConv = convs.indexOf(producer(v));
        }

        /** Whether {@code value} is read once, by the next vertex. */
        private boolean onlyReaderIsNext(String value) {
            return readers.getOrDefault(value, 0) == 1;
        }

        /** Whether a post-op may change {@code value}: read only by the next vertex, and no read-out. */
        private boolean mayChange(String value) {
            return onlyReaderIsNext(value) && !value.equals(cutLayer) && !value.equals(sideLayer);
        }

        /** The convolution producing {@code value}, when nothing else reads that value so a post-op can change it. */
        private MutableConv fusableConv(String value, String what) {
            Object source = valueOf.get(value);
            if (!(source instanceof Integer v) || v == 0 || v == sideValue || !mayChange(value)) {
                throw new CannotCompile(what + " does not directly follow a convolution it can be fused into");
            }
            MutableConv conv = producer(v);
            if (conv == null || conv != convs.get(convs.size() - 1)) {
                throw new CannotCompile(what + " does not directly follow a convolution it can be fused into");
            }
            return conv;
        }

        /** The convolution whose output (own or added into) is value {@code v}, if it is the last one writing it. */
        private MutableConv producer(int v) {
            for (int i = convs.size() - 1; i >= 0; i--) {
                MutableConv c = convs.get(i);
                if (i + 1 == v || c.sumInto == v) {
                    return c;
                }
            }
            return null;
        }

        private void compileConv(String name, ConvolutionLayer conf, Map<String, INDArray> params, Object source,
                                 String from) {
            boolean depthwise = conf instanceof DepthwiseConvolution2D;
            if (!depthwise && conf.getClass() != ConvolutionLayer.class) {
                throw new CannotCompile("layer '" + name + "' is a " + conf.getClass().getSimpleName());
            }
            if (conf.getConvolutionMode() == ConvolutionMode.Causal) {
                throw new CannotCompile("convolution '" + name + "' uses causal padding");
            }
            INDArray w = params.get("W");
            if (w == null || w.rank() != 4) {
                throw new CannotCompile("convolution '" + name + "' has no rank-4 weights W");
            }
            int input;
            int[] extraPad = new int[4];
            if (source instanceof PendingPad pad) {
                input = pad.value();
                extraPad = pad.padding().clone();
            } else {
                input = (Integer) source;
            }
            MutableConv conv = new MutableConv(name, input, depthwise, conf, w.castTo(DataType.FLOAT).dup('c'),
                    params.get("b"), extraPad);
            conv.postOps.addAll(activationOf(name, conf.getActivationFn()));
            convs.add(conv);
            valueOf.put(name, convs.size());
        }

        private static List<PostOp> activationOf(String name, IActivation fn) {
            return fn instanceof ActivationIdentity ? List.of() : List.of(new Clip(Activation.of(name, fn)));
        }

        /**
         * An add becomes a sum post-op of the convolution computing one operand, writing into the other operand's
         * buffer: that convolution must be the last one so far and read by nothing else, and the other operand read
         * by nothing after this add.
         */
        private void compileAdd(String name, List<String> ins) {
            MutableConv last = convs.isEmpty() ? null : convs.get(convs.size() - 1);
            for (int k = 0; k < 2; k++) {
                String convSide = ins.get(k);
                String skipSide = ins.get(1 - k);
                if (!(valueOf.get(convSide) instanceof Integer v) || !(valueOf.get(skipSide) instanceof Integer skip)) {
                    continue;
                }
                boolean convIsLast = last != null && v == convs.size() && last.sumInto == 0 && v != sideValue
                        && mayChange(convSide);
                boolean skipDiesHere = skip != 0 && skip != v && skip != sideValue && lastReaderIs(skipSide, name);
                if (convIsLast && skipDiesHere) {
                    last.sumInto = skip;
                    last.postOps.add(new Sum());
                    adds++;
                    valueOf.put(name, skip);
                    return;
                }
            }
            throw new CannotCompile("add '" + name + "' cannot be fused into the convolution computing one of its "
                    + "inputs");
        }

        /** Whether {@code reader} is the last vertex (in compile order so far) to read {@code value}. */
        private boolean lastReaderIs(String value, String reader) {
            // every reader compiled before this add has already consumed the value; later readers would see the sum
            long readersLeft = inputs.entrySet().stream()
                    .filter(e -> needed.contains(e.getKey()) && e.getValue().contains(value)
                            && !valueOf.containsKey(e.getKey()) && !e.getKey().equals(reader))
                    .count();
            return readersLeft == 0 && !value.equals(cutLayer) && !value.equals(sideLayer);
        }
    }

    private record PendingPad(int value, int[] padding) {
    }

    /** A convolution while the compiler is still folding batch norms and attaching post-ops. */
    private static final class MutableConv {
        final String name;
        final int input;
        final boolean depthwise;
        final ConvolutionLayer conf;
        final int[] extraPad;
        final List<PostOp> postOps = new ArrayList<>();
        INDArray weights;
        INDArray bias;
        int sumInto;

        MutableConv(String name, int input, boolean depthwise, ConvolutionLayer conf, INDArray weights, INDArray bias,
                    int[] extraPad) {
            this.name = name;
            this.input = input;
            this.depthwise = depthwise;
            this.conf = conf;
            this.weights = weights;
            this.bias = bias == null ? null : bias.castTo(DataType.FLOAT).reshape(bias.length()).dup('c');
            this.extraPad = extraPad;
        }

        void foldBatchNorm(String bnName, BatchNormalization bn, Map<String, INDArray> params) {
            try {
                BatchNormFold fold = BatchNormFold.of(weights, bias, depthwise, bn, params);
                weights = fold.weights();
                bias = fold.bias();
            } catch (IllegalArgumentException e) {
                throw new CannotCompile("batch norm '" + bnName + "' " + e.getMessage());
            }
        }

        Conv freeze() {
            long[] s = weights.shape();
            int inChannels;
            int outChannels;
            float[] w;
            if (depthwise) {
                // DL4J [kH, kW, iC, m] -> goihw [iC, m, 1, kH, kW]; output channel i * m + j in both
                inChannels = (int) s[2];
                outChannels = (int) (s[2] * s[3]);
                w = weights.permute(2, 3, 0, 1).dup('c').data().asFloat();
            } else {
                inChannels = (int) s[1];
                outChannels = (int) s[0];
                w = weights.dup('c').data().asFloat();
            }
            float[] b = bias == null ? new float[outChannels] : bias.data().asFloat();
            return new Conv(name, input, sumInto, inChannels, outChannels, depthwise ? inChannels : 0,
                    conf.getKernelSize().clone(), conf.getStride().clone(), conf.getDilation().clone(),
                    conf.getConvolutionMode() == ConvolutionMode.Same, conf.getPadding().clone(), extraPad,
                    w, b, List.copyOf(postOps));
        }
    }
}
