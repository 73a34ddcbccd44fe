package io.tlwb.features;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import io.tlwb.model.BatchNormFold;
import io.tlwb.model.GraphSurgery;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;
import org.nd4j.linalg.api.ops.impl.scalar.Relu6;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarMin;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The frozen part of an imported graph compiled for inference: every frozen BatchNormalization folded into the
 * convolution before it (weights scaled, bias added), ReLU/ReLU6 applied in place on the convolution's output,
 * ZeroPadding2D merged into the next convolution when it equals TF's SAME padding for the input at hand, residual
 * adds in place, and every intermediate activation closed as soon as its last reader ran, so memory stays at about
 * two activations whatever the depth. It runs libnd4j's {@code conv2d}/{@code depthwise_conv2d} directly in
 * {@link Layout#NCHW} or {@link Layout#NHWC} (measured on 2 AVX-512 cores with the oneDNN build of ND4J: NHWC 3x
 * faster than NCHW, and 1x1 convolutions through oneDNN 2x faster than as a plain sgemm; without oneDNN every
 * variant was ~10x slower, depthwise convolutions going through im2col).
 *
 * <p>Only the vertices the cut layer depends on are compiled. A graph with anything else on that path (a layer type
 * this class does not know, a preprocessor, a non-Add merge) is refused with {@link Unsupported}, naming the vertex.
 */
final class FoldedNet {

    /** The memory layout the compiled network runs in. Input is always NHWC, as the pipeline makes it. */
    enum Layout {
        NCHW, NHWC;

        int channelAxis() {
            return this == NCHW ? 1 : 3;
        }
    }

    /** Thrown when a graph cannot be compiled; the message names the vertex and why. */
    static final class Unsupported extends RuntimeException {
        Unsupported(String message) {
            super(message);
        }
    }

    private final List<Step> steps;
    private final Layout layout;
    private final int outputChannels;
    private final String description;

    private FoldedNet(List<Step> steps, Layout layout, int outputChannels, String description) {
        this.steps = steps;
        this.layout = layout;
        this.outputChannels = outputChannels;
        this.description = description;
    }

    Layout layout() {
        return layout;
    }

    int outputChannels() {
        return outputChannels;
    }

    /** What was compiled, e.g. "52 convolutions (52 batch norms folded, 35 activations fused), 10 adds". */
    String description() {
        return description;
    }

    /**
     * Compiles the part of {@code graph} that {@code cutLayer} depends on.
     *
     * @throws Unsupported naming the first vertex on that path this class cannot run exactly
     */
    static FoldedNet compile(ComputationGraph graph, String cutLayer, Layout layout) {
        ComputationGraphConfiguration conf = graph.getConfiguration();
        if (!conf.getVertices().containsKey(cutLayer)) {
            throw new Unsupported("cut layer '" + cutLayer + "' is not in the graph");
        }
        if (conf.getNetworkInputs().size() != 1) {
            throw new Unsupported("graph has " + conf.getNetworkInputs().size() + " inputs; expected one image input");
        }
        Map<String, List<String>> inputs = conf.getVertexInputs();
        // vertices the cut layer depends on, in topological order
        List<String> order = new ArrayList<>();
        java.util.Set<String> needed = ancestorsOf(inputs, cutLayer);
        for (int index : graph.topologicalSortOrder()) {
            String name = graph.getVertices()[index].getVertexName();
            if (needed.contains(name)) {
                order.add(name);
            }
        }
        Map<String, Integer> readers = new HashMap<>();
        for (String name : order) {
            for (String in : inputs.getOrDefault(name, List.of())) {
                readers.merge(in, 1, Integer::sum);
            }
        }
        String input = conf.getNetworkInputs().get(0);

        // Build ops with fusion: a name maps to the op producing its value.
        Map<String, Op> producer = new LinkedHashMap<>();
        List<Op> ops = new ArrayList<>();
        int folded = 0;
        int fused = 0;
        int adds = 0;
        int convs = 0;
        for (String name : order) {
            if (name.equals(input)) {
                Op op = new InputOp();
                producer.put(name, op);
                ops.add(op);
                continue;
            }
            // a saved transfer model's base is wrapped frozen: compile what is inside
            GraphVertex vertex = GraphSurgery.unfrozen(conf.getVertices().get(name));
            List<String> ins = inputs.getOrDefault(name, List.of());
            if (vertex instanceof ElementWiseVertex ew) {
                if (ew.getOp() != ElementWiseVertex.Op.Add || ins.size() != 2) {
                    throw new Unsupported("vertex '" + name + "' is an element-wise " + ew.getOp() + " of "
                            + ins.size() + " inputs; only two-input Add is compiled");
                }
                Op op = new AddOp(producer.get(ins.get(0)), producer.get(ins.get(1)));
                adds++;
                producer.put(name, op);
                ops.add(op);
                continue;
            }
            if (!(vertex instanceof LayerVertex lv)) {
                throw new Unsupported("vertex '" + name + "' is a " + vertex.getClass().getSimpleName());
            }
            if (lv.getPreProcessor() != null) {
                throw new Unsupported("layer '" + name + "' has an input preprocessor " + lv.getPreProcessor());
            }
            Layer layer = GraphSurgery.unfrozen(lv.getLayerConf().getLayer());
            Op from = ins.size() == 1 ? producer.get(ins.get(0)) : null;
            if (from == null) {
                throw new Unsupported("layer '" + name + "' has " + ins.size() + " inputs");
            }
            String fromName = ins.get(0);
            // a value can be fused into its producer only if nothing else reads it and it is not the output
            boolean fusable = readers.getOrDefault(fromName, 0) == 1 && !fromName.equals(cutLayer);
            Map<String, INDArray> params = graph.getLayer(name).paramTable(false);
            if (layer instanceof ZeroPaddingLayer zp) {
                int[] p = zp.getPadding();
                Op op = new PadOp(from, p[0], p[1], p[2], p[3]);
                producer.put(name, op);
                ops.add(op);
            } else if (layer instanceof ConvolutionLayer conv) {
                boolean depthwise = conv instanceof DepthwiseConvolution2D;
                if (!depthwise && conv.getClass() != ConvolutionLayer.class) {
                    throw new Unsupported("layer '" + name + "' is a " + conv.getClass().getSimpleName());
                }
                ConvOp op = ConvOp.of(name, conv, depthwise, params, from, layout);
                convs++;
                if (from instanceof PadOp pad && fusable && pad.consumers == 0 && op.mode != ConvolutionMode.Same
                        && op.padH == 0 && op.padW == 0) {
                    op.prePad = pad;
                    op.input = pad.input;
                    ops.remove(pad);
                }
                activation(name, conv.getActivationFn(), op);
                producer.put(name, op);
                ops.add(op);
            } else if (layer instanceof BatchNormalization bn) {
                if (from instanceof ConvOp conv && fusable && conv.activation.equals(Activation.IDENTITY)) {
                    conv.foldBatchNorm(name, bn, params);
                    folded++;
                    producer.put(name, conv);
                } else {
                    throw new Unsupported("batch norm '" + name + "' does not directly follow a convolution it can "
                            + "be folded into");
                }
            } else if (layer instanceof ActivationLayer act) {
                if (from instanceof ConvOp conv && fusable && conv.activation.equals(Activation.IDENTITY)) {
                    activation(name, act.getActivationFn(), conv);
                    fused++;
                    producer.put(name, conv);
                } else {
                    Op op = new ActOp(from, Activation.of(name, act.getActivationFn()));
                    producer.put(name, op);
                    ops.add(op);
                }
            } else {
                throw new Unsupported("layer '" + name + "' is a " + layer.getClass().getSimpleName());
            }
            from.consumers++;
        }
        Op out = producer.get(cutLayer);
        List<Step> steps = schedule(ops, out);
        int channels = out.channels();
        String description = String.format(Locale.ROOT,
                "%d convolutions (%d batch norms folded, %d activations fused), %d adds, %s", convs, folded, fused,
                adds, layout);
        return new FoldedNet(steps, layout, channels, description);
    }

    private static java.util.Set<String> ancestorsOf(Map<String, List<String>> inputs, String layer) {
        java.util.Set<String> seen = new java.util.HashSet<>();
        java.util.Deque<String> todo = new java.util.ArrayDeque<>(List.of(layer));
        while (!todo.isEmpty()) {
            String v = todo.pop();
            if (seen.add(v)) {
                todo.addAll(inputs.getOrDefault(v, List.of()));
            }
        }
        return seen;
    }

    private static void activation(String name, IActivation fn, ConvOp conv) {
        conv.activation = Activation.of(name, fn);
    }

    /** Orders ops and records after which step each intermediate can be closed. */
    private static List<Step> schedule(List<Op> ops, Op out) {
        Map<Op, Integer> index = new HashMap<>();
        for (int i = 0; i < ops.size(); i++) {
            index.put(ops.get(i), i);
        }
        Map<Op, Integer> lastUse = new HashMap<>();
        for (int i = 0; i < ops.size(); i++) {
            for (Op in : ops.get(i).inputs()) {
                lastUse.put(in, i);
            }
        }
        List<Step> steps = new ArrayList<>();
        for (int i = 0; i < ops.size(); i++) {
            Op op = ops.get(i);
            List<Integer> release = new ArrayList<>();
            for (Op in : op.inputs()) {
                if (lastUse.get(in) == i && in != out && !release.contains(index.get(in))) {
                    release.add(index.get(in));
                }
            }
            int[] ins = op.inputs().stream().mapToInt(index::get).toArray();
            steps.add(new Step(op, ins, release.stream().mapToInt(Integer::intValue).toArray()));
        }
        if (ops.get(ops.size() - 1) != out) {
            throw new Unsupported("the cut layer is not the last computed value");
        }
        return steps;
    }

    /**
     * Pooled features {@code [b, channels]} of an NHWC batch {@code [b, h, w, 3]}, or with {@code pool} false the cut
     * layer's activation maps flattened in NHWC order, {@code [b, h * w * channels]}. Nothing but the result outlives
     * the call: intermediates are closed as soon as their last reader ran.
     */
    INDArray featurize(INDArray nhwc, boolean pool) {
        if (nhwc.rank() != 4 || nhwc.size(3) != 3) {
            throw new IllegalArgumentException("expected an NHWC batch [b, h, w, 3], got "
                    + java.util.Arrays.toString(nhwc.shape()));
        }
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            INDArray[] values = new INDArray[steps.size()];
            INDArray x = nhwc.dataType() == DataType.FLOAT ? nhwc : nhwc.castTo(DataType.FLOAT);
            try {
                for (int i = 0; i < steps.size(); i++) {
                    Step step = steps.get(i);
                    INDArray[] args = new INDArray[step.inputs.length];
                    for (int k = 0; k < args.length; k++) {
                        args[k] = values[step.inputs[k]];
                    }
                    values[i] = step.op.run(x, args, layout, step.release.length > 0 ? step : null);
                    for (int r : step.release) {
                        if (values[r] != null && values[r] != values[i] && values[r] != nhwc) {
                            values[r].close();
                        }
                        values[r] = null;
                    }
                }
                INDArray last = values[steps.size() - 1];
                INDArray result;
                if (pool) {
                    result = last.mean(layout == Layout.NCHW ? new int[]{2, 3} : new int[]{1, 2});
                } else {
                    INDArray maps = layout == Layout.NCHW ? last.permute(0, 2, 3, 1) : last;
                    result = maps.dup('c').reshape('c', maps.size(0), maps.length() / maps.size(0));
                }
                last.close();
                values[steps.size() - 1] = null;
                return result;
            } finally {
                for (INDArray v : values) {
                    if (v != null && v != nhwc && !v.wasClosed()) {
                        v.close();
                    }
                }
                if (x != nhwc) {
                    x.close();
                }
            }
        }
    }

    /** Multiply-accumulates per image at a square input {@code size} (convolutions only). */
    long macsPerImage(int size) {
        long[] hw = null;
        Map<Op, long[]> shapes = new HashMap<>();
        long macs = 0;
        for (Step step : steps) {
            long[] inShape = step.inputs.length == 0 ? new long[]{size, size} : shapes.get(steps.get(step.inputs[0]).op);
            hw = inShape;
            if (step.op instanceof ConvOp conv) {
                long[] padded = hw;
                if (conv.prePad != null) {
                    padded = new long[]{hw[0] + conv.prePad.top + conv.prePad.bottom,
                            hw[1] + conv.prePad.left + conv.prePad.right};
                }
                long[] o = conv.outputSize(padded);
                long perPixel = conv.depthwise ? (long) conv.kH * conv.kW * conv.outChannels
                        : (long) conv.kH * conv.kW * conv.inChannels * conv.outChannels;
                macs += o[0] * o[1] * perPixel;
                shapes.put(conv, o);
            } else if (step.op instanceof PadOp pad) {
                shapes.put(pad, new long[]{hw[0] + pad.top + pad.bottom, hw[1] + pad.left + pad.right});
            } else {
                shapes.put(step.op, hw);
            }
        }
        return macs;
    }

    private record Step(Op op, int[] inputs, int[] release) {
    }

    /** Elementwise activation applied in place. */
    private record Activation(String kind, double max) {
        static final Activation IDENTITY = new Activation("identity", 0);

        static Activation of(String layer, IActivation fn) {
            if (fn instanceof ActivationIdentity) {
                return IDENTITY;
            }
            if (fn instanceof ActivationReLU6) {
                return new Activation("relu", 6);
            }
            if (fn instanceof ActivationReLU relu) {
                boolean plainBelow = (relu.getThreshold() == null || relu.getThreshold() == 0)
                        && (relu.getNegativeSlope() == null || relu.getNegativeSlope() == 0);
                if (plainBelow) {
                    return new Activation("relu", relu.getMax() == null ? 0 : relu.getMax());
                }
            }
            throw new Unsupported("layer '" + layer + "' has activation " + fn + "; only identity, ReLU and ReLU6 are "
                    + "compiled");
        }

        void applyInPlace(INDArray x) {
            if (this == IDENTITY || kind.equals("identity")) {
                return;
            }
            if (max == 6) {
                Nd4j.exec(new Relu6(x, x, 0.0));
            } else {
                Nd4j.exec(new RectifiedLinear(x, x, 0.0));
                if (max > 0) {
                    Nd4j.exec(new ScalarMin(x, null, x, max));
                }
            }
        }
    }

    private abstract static class Op {
        int consumers;

        abstract List<Op> inputs();

        /** Channels of this op's output. */
        int channels() {
            return inputs().get(0).channels();
        }

        /** Computes this op's value from its inputs' values; {@code canReuse} non-null allows in-place on inputs. */
        abstract INDArray run(INDArray networkInput, INDArray[] args, Layout layout, Step canReuse);
    }

    private static final class InputOp extends Op {
        @Override
        int channels() {
            return 3;
        }

        @Override
        List<Op> inputs() {
            return List.of();
        }

        @Override
        INDArray run(INDArray networkInput, INDArray[] args, Layout layout, Step canReuse) {
            return layout == Layout.NCHW ? networkInput.permute(0, 3, 1, 2).dup('c') : networkInput.dup('c');
        }
    }

    private static final class AddOp extends Op {
        final Op a;
        final Op b;

        AddOp(Op a, Op b) {
            this.a = a;
            this.b = b;
        }

        @Override
        List<Op> inputs() {
            return List.of(a, b);
        }

        @Override
        INDArray run(INDArray networkInput, INDArray[] args, Layout layout, Step canReuse) {
            // the first input dies here when it is in the release list: add in place into it
            if (canReuse != null) {
                for (int r : canReuse.release) {
                    if (r == canReuse.inputs[0]) {
                        return args[0].addi(args[1]);
                    }
                    if (r == canReuse.inputs[1]) {
                        return args[1].addi(args[0]);
                    }
                }
            }
            return args[0].add(args[1]);
        }
    }

    private static final class ActOp extends Op {
        final Op input;
        final Activation activation;

        ActOp(Op input, Activation activation) {
            this.input = input;
            this.activation = activation;
        }

        @Override
        List<Op> inputs() {
            return List.of(input);
        }

        @Override
        INDArray run(INDArray networkInput, INDArray[] args, Layout layout, Step canReuse) {
            INDArray out = canReuse != null ? args[0] : args[0].dup();
            activation.applyInPlace(out);
            return out;
        }
    }

    private static final class PadOp extends Op {
        final Op input;
        final int top;
        final int bottom;
        final int left;
        final int right;

        PadOp(Op input, int top, int bottom, int left, int right) {
            this.input = input;
            this.top = top;
            this.bottom = bottom;
            this.left = left;
            this.right = right;
        }

        @Override
        List<Op> inputs() {
            return List.of(input);
        }

        @Override
        INDArray run(INDArray networkInput, INDArray[] args, Layout layout, Step canReuse) {
            return pad(args[0], layout, top, bottom, left, right);
        }

        static INDArray pad(INDArray x, Layout layout, int top, int bottom, int left, int right) {
            long[] s = x.shape();
            int hAxis = layout == Layout.NCHW ? 2 : 1;
            long[] shape = s.clone();
            shape[hAxis] += top + bottom;
            shape[hAxis + 1] += left + right;
            INDArray out = Nd4j.zeros(x.dataType(), shape);
            if (layout == Layout.NCHW) {
                out.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(top, top + s[2]),
                        NDArrayIndex.interval(left, left + s[3])).assign(x);
            } else {
                out.get(NDArrayIndex.all(), NDArrayIndex.interval(top, top + s[1]),
                        NDArrayIndex.interval(left, left + s[2]), NDArrayIndex.all()).assign(x);
            }
            return out;
        }
    }

    /** A convolution or depthwise convolution with folded batch norm (as bias) and an in-place activation. */
    private static final class ConvOp extends Op {
        final String name;
        final boolean depthwise;
        final int kH;
        final int kW;
        final int sH;
        final int sW;
        final int dH;
        final int dW;
        final int padH;
        final int padW;
        final ConvolutionMode mode;
        final int inChannels;
        final int outChannels;
        /** conv2d: [oC, iC, kH, kW] (weights format 1); depthwise: [kH, kW, iC, m] (weights format 0). */
        INDArray weights;
        INDArray bias;
        Op input;
        PadOp prePad;
        Activation activation = Activation.IDENTITY;

        private ConvOp(String name, boolean depthwise, ConvolutionLayer conf, INDArray weights, INDArray bias, Op input) {
            this.name = name;
            this.depthwise = depthwise;
            this.kH = conf.getKernelSize()[0];
            this.kW = conf.getKernelSize()[1];
            this.sH = conf.getStride()[0];
            this.sW = conf.getStride()[1];
            this.dH = conf.getDilation()[0];
            this.dW = conf.getDilation()[1];
            this.padH = conf.getPadding()[0];
            this.padW = conf.getPadding()[1];
            this.mode = conf.getConvolutionMode();
            this.weights = weights;
            this.bias = bias;
            this.input = input;
            if (depthwise) {
                this.inChannels = (int) weights.size(2);
                this.outChannels = (int) (weights.size(2) * weights.size(3));
            } else {
                this.inChannels = (int) weights.size(1);
                this.outChannels = (int) weights.size(0);
            }
        }

        static ConvOp of(String name, ConvolutionLayer conf, boolean depthwise, Map<String, INDArray> params, Op input,
                         Layout layout) {
            if (conf.getConvolutionMode() == ConvolutionMode.Causal) {
                throw new Unsupported("convolution '" + name + "' uses causal padding");
            }
            INDArray w = params.get("W");
            if (w == null || w.rank() != 4) {
                throw new Unsupported("convolution '" + name + "' has no rank-4 weights W");
            }
            INDArray weights = w.castTo(DataType.FLOAT).dup('c');
            long outChannels = depthwise ? w.size(2) * w.size(3) : w.size(0);
            INDArray b = params.get("b");
            INDArray bias = b == null ? Nd4j.zeros(DataType.FLOAT, outChannels)
                    : b.castTo(DataType.FLOAT).reshape(outChannels).dup('c');
            return new ConvOp(name, depthwise, conf, weights, bias, input);
        }

        void foldBatchNorm(String bnName, BatchNormalization bn, Map<String, INDArray> params) {
            try {
                BatchNormFold fold = BatchNormFold.of(weights, bias, depthwise, bn, params);
                weights = fold.weights();
                bias = fold.bias();
            } catch (IllegalArgumentException e) {
                throw new Unsupported("batch norm '" + bnName + "' " + e.getMessage());
            }
        }

        @Override
        List<Op> inputs() {
            return List.of(input);
        }

        @Override
        int channels() {
            return outChannels;
        }

        long[] outputSize(long[] hw) {
            long ekH = (long) (kH - 1) * dH + 1;
            long ekW = (long) (kW - 1) * dW + 1;
            if (mode == ConvolutionMode.Same) {
                return new long[]{(hw[0] + sH - 1) / sH, (hw[1] + sW - 1) / sW};
            }
            return new long[]{(hw[0] + 2L * padH - ekH) / sH + 1, (hw[1] + 2L * padW - ekW) / sW + 1};
        }

        /** TF SAME padding (before, after) for one axis. */
        private static long[] samePadding(long n, int k, int s, int d) {
            long out = (n + s - 1) / s;
            long ek = (long) (k - 1) * d + 1;
            long total = Math.max((out - 1) * s + ek - n, 0);
            return new long[]{total / 2, total - total / 2};
        }

        @Override
        INDArray run(INDArray networkInput, INDArray[] args, Layout layout, Step canReuse) {
            INDArray x = args[0];
            int paddingMode = mode == ConvolutionMode.Same ? 1 : 0;
            int pH = padH;
            int pW = padW;
            INDArray padded = null;
            if (prePad != null) {
                int hAxis = layout == Layout.NCHW ? 2 : 1;
                long[] sameH = samePadding(x.size(hAxis), kH, sH, dH);
                long[] sameW = samePadding(x.size(hAxis + 1), kW, sW, dW);
                if (sameH[0] == prePad.top && sameH[1] == prePad.bottom && sameW[0] == prePad.left
                        && sameW[1] == prePad.right) {
                    paddingMode = 1;
                } else {
                    padded = PadOp.pad(x, layout, prePad.top, prePad.bottom, prePad.left, prePad.right);
                    x = padded;
                }
            }
            DynamicCustomOp op = DynamicCustomOp.builder(depthwise ? "depthwise_conv2d" : "conv2d")
                    .addInputs(x, weights, bias)
                    .addIntegerArguments(kH, kW, sH, sW, pH, pW, dH, dW, paddingMode,
                            layout == Layout.NCHW ? 0 : 1, depthwise ? 0 : 1)
                    .build();
            INDArray out = Nd4j.exec(op)[0];
            if (padded != null) {
                padded.close();
            }
            activation.applyInPlace(out);
            return out;
        }

        @Override
        public String toString() {
            return name;
        }
    }
}
