package io.tlwb.engine;

import static io.tlwb.engine.Dnnl.check;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_ATTR_POST_OP_DW;
import static org.bytedeco.dnnl.global.dnnl.dnnl_f32;
import static org.bytedeco.dnnl.global.dnnl.dnnl_post_ops_append_dw_k3s1p1;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_exec_arg_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_success;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_FROM;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_TO;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.dnnl_a;
import static org.bytedeco.dnnl.global.dnnl.dnnl_convolution_direct;
import static org.bytedeco.dnnl.global.dnnl.dnnl_dilated_convolution_forward_desc_init;
import static org.bytedeco.dnnl.global.dnnl.dnnl_eltwise_clip;
import static org.bytedeco.dnnl.global.dnnl.dnnl_eltwise_relu;
import static org.bytedeco.dnnl.global.dnnl.dnnl_format_tag_any;
import static org.bytedeco.dnnl.global.dnnl.dnnl_forward_inference;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_equal;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_get_size;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_get_data_handle;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_set_data_handle;
import static org.bytedeco.dnnl.global.dnnl.dnnl_nChw16c;
import static org.bytedeco.dnnl.global.dnnl.dnnl_nchw;
import static org.bytedeco.dnnl.global.dnnl.dnnl_nhwc;
import static org.bytedeco.dnnl.global.dnnl.dnnl_pooling_avg_exclude_padding;
import static org.bytedeco.dnnl.global.dnnl.dnnl_pooling_forward_desc_init;
import static org.bytedeco.dnnl.global.dnnl.dnnl_post_ops_append_eltwise;
import static org.bytedeco.dnnl.global.dnnl.dnnl_post_ops_append_sum;
import static org.bytedeco.dnnl.global.dnnl.dnnl_post_ops_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_post_ops_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_attr_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_attr_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_attr_set_post_ops;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_query_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_execute;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_src_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_reorder_primitive_desc_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_default_flags;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_wait;

import io.tlwb.engine.BaseProgram.Clip;
import io.tlwb.engine.BaseProgram.Conv;
import io.tlwb.engine.BaseProgram.PostOp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.dnnl.const_dnnl_op_desc_t;
import org.bytedeco.dnnl.dnnl_convolution_desc_t;
import org.bytedeco.dnnl.dnnl_exec_arg_t;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_pooling_desc_t;
import org.bytedeco.dnnl.dnnl_post_ops;
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_primitive_attr;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.dnnl.dnnl_stream;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * A {@link BaseProgram} as oneDNN primitives for one batch size and image size, built once and run many times.
 * Activations stay in oneDNN's blocked {@code nChw16c} layout from the first convolution to the read-out (one reorder
 * of the NHWC or NCHW input, none between layers; measured the fastest here), each convolution carries its ReLU6 and residual
 * add as post-ops (the add writing in place into the skip tensor), and intermediate tensors share a few buffers by
 * liveness, so memory stays at about three activations whatever the depth. Running it allocates nothing: the caller's
 * input and output buffers are bound for the call. Not thread-safe; one plan per thread.
 */
final class DnnlPlan implements AutoCloseable {

    private final long batch;
    private final dnnl_stream stream = new dnnl_stream();
    private final dnnl_memory userInput;
    private final dnnl_memory pooledOutput;
    private final dnnl_memory mapsOutput;
    /** Where the program's side maps go, and the step after which they are read out (-1: no side maps). */
    private final dnnl_memory sideMapsOutput;
    private final int sideMapsAfterStep;
    private final Step sideMapsReadOut;
    private final List<Step> steps = new ArrayList<>();
    private final List<Step> pool;
    private final List<Step> toNhwc;
    /** Every native object the plan created, destroyed on close (the shared weights are the engine's). */
    private final List<dnnl_primitive_desc> descs = new ArrayList<>();
    private final List<dnnl_primitive> primitives = new ArrayList<>();
    private final List<dnnl_memory> memories = new ArrayList<>();
    private final Constants constants;
    private boolean closed;

    /** A primitive with its arguments, bound once. */
    private record Step(dnnl_primitive primitive, dnnl_exec_arg_t args, int count) {
    }

    DnnlPlan(BaseProgram program, Constants constants, long batch, long height, long width, InputLayout layout) {
        this.batch = batch;
        this.constants = constants;
        check(dnnl_stream_create(stream, Dnnl.cpu(), dnnl_stream_default_flags), "creating a stream");
        List<Conv> convs = program.convs();
        long[][] sizes = program.valueSizes(height, width);
        int values = convs.size() + 1;
        int out = program.outputValue();
        dnnl_memory_desc_t[] valueMd = new dnnl_memory_desc_t[values];
        for (int v = 1; v < values; v++) {
            valueMd[v] = Dnnl.floats(dnnl_nChw16c, batch, convs.get(v - 1).outChannels(), sizes[v][0], sizes[v][1]);
        }
        dnnl_memory_desc_t userInputMd = Dnnl.floats(layout.dnnlTag, batch, 3, height, width);
        userInput = track(Dnnl.memory(userInputMd, null));
        BaseProgram.SideMaps side = program.sideMaps();
        int[] lastUse = lastUses(convs, out, side);

        // 1. one primitive per convolution, or per 1x1 + 3x3 depthwise pair where oneDNN fuses them natively;
        //    the first reader of the input picks the input's layout
        dnnl_primitive_desc[] pds = new dnnl_primitive_desc[convs.size()];
        boolean[] fusedWithNext = new boolean[convs.size()];
        for (int i = 0; i < convs.size(); i++) {
            Conv conv = convs.get(i);
            dnnl_memory_desc_t src = valueMd[conv.input()] != null ? valueMd[conv.input()]
                    : Dnnl.floats(dnnl_format_tag_any, batch, 3, height, width);
            dnnl_memory_desc_t dst = valueMd[conv.sumInto() > 0 ? conv.sumInto() : i + 1];
            boolean sideMapsInside = side != null && side.value() == i + 1;
            if (i + 1 < convs.size() && !sideMapsInside && fusable(conv, convs.get(i + 1), i + 1, sizes, lastUse)) {
                pds[i] = convolution(conv, src, dst, sizes[conv.input()], convs.get(i + 1));
                fusedWithNext[i] = pds[i] != null;
            }
            if (pds[i] == null) {
                pds[i] = convolution(conv, src, dst, sizes[conv.input()], null);
            }
            if (valueMd[conv.input()] == null) {
                valueMd[0] = dnnl_primitive_desc_query_md(pds[i], dnnl_query_src_md, 0);
            }
            if (fusedWithNext[i]) {
                i++;
            }
        }

        // 2. buffers by liveness, the input reordered only if the first convolution wants another layout
        boolean reorderInput = dnnl_memory_desc_equal(valueMd[0], userInputMd) == 0;
        dnnl_memory[] valueMem = bindBuffers(convs, valueMd, lastUse, fusedWithNext, reorderInput);
        if (!reorderInput) {
            valueMem[0] = userInput;
        }

        // 3. the steps: input reorder, convolutions, read-outs
        int sideAfterStep = -1;
        if (reorderInput) {
            steps.add(reorder(userInputMd, userInput, valueMd[0], valueMem[0]));
        }
        for (int i = 0; i < convs.size(); i++) {
            Conv conv = convs.get(i);
            Conv fused = fusedWithNext[i] ? convs.get(i + 1) : null;
            int dst = fused != null ? i + 2 : conv.sumInto() > 0 ? conv.sumInto() : i + 1;
            steps.add(convolutionStep(conv, fused, pds[i], valueMem[conv.input()], valueMem[dst]));
            if (fused != null) {
                i++;
            }
            if (side != null && i == side.afterConv()) {
                sideAfterStep = steps.size() - 1;
            }
        }
        sideMapsAfterStep = sideAfterStep;
        if (side != null) {
            long[] at = sizes[side.value()];
            dnnl_memory_desc_t sideMd = Dnnl.floats(dnnl_nhwc, batch, side.channels(), at[0], at[1]);
            sideMapsOutput = track(Dnnl.memory(sideMd, null));
            sideMapsReadOut = reorder(valueMd[side.value()], valueMem[side.value()], sideMd, sideMapsOutput);
        } else {
            sideMapsOutput = null;
            sideMapsReadOut = null;
        }
        long c = convs.get(out - 1).outChannels();
        long h = sizes[out][0];
        long w = sizes[out][1];
        pooledOutput = track(Dnnl.memory(Dnnl.floats(dnnl_nchw, batch, c, 1, 1), null));
        pool = globalAverage(valueMd[out], valueMem[out], c, h, w);
        dnnl_memory_desc_t mapsMd = Dnnl.floats(dnnl_nhwc, batch, c, h, w);
        mapsOutput = track(Dnnl.memory(mapsMd, null));
        toNhwc = List.of(reorder(valueMd[out], valueMem[out], mapsMd, mapsOutput));
    }

    /**
     * For every value, the index of the last convolution reading it; the output is read after all of them, side maps
     * right after their last writer.
     */
    private static int[] lastUses(List<Conv> convs, int out, BaseProgram.SideMaps side) {
        int[] lastUse = new int[convs.size() + 1];
        Arrays.fill(lastUse, -1);
        for (int i = 0; i < convs.size(); i++) {
            lastUse[convs.get(i).input()] = i;
            if (convs.get(i).sumInto() > 0) {
                lastUse[convs.get(i).sumInto()] = i;
            }
        }
        lastUse[out] = Integer.MAX_VALUE;
        if (side != null) {
            lastUse[side.value()] = Math.max(lastUse[side.value()], side.afterConv());
        }
        return lastUse;
    }

    /**
     * Whether {@code dw} (value {@code v}'s only reader) is a 3x3 stride-1 depthwise convolution padded by one on
     * every side, right after the plain 1x1 stride-1 convolution {@code pointwise} computing {@code v}: the pair
     * oneDNN can run as one primitive, the 1x1's output never leaving cache.
     */
    private static boolean fusable(Conv pointwise, Conv dw, int v, long[][] sizes, int[] lastUse) {
        boolean oneByOne = pointwise.groups() == 0 && pointwise.sumInto() == 0
                && Arrays.equals(pointwise.kernel(), new int[]{1, 1}) && Arrays.equals(pointwise.stride(), new int[]{1, 1})
                && Arrays.equals(pointwise.padding(sizes[pointwise.input()][0], sizes[pointwise.input()][1]),
                new int[4]);
        boolean depthwise3x3 = dw.input() == v && dw.sumInto() == 0 && dw.groups() == dw.outChannels()
                && Arrays.equals(dw.kernel(), new int[]{3, 3}) && Arrays.equals(dw.stride(), new int[]{1, 1})
                && Arrays.equals(dw.dilation(), new int[]{1, 1})
                && Arrays.equals(dw.padding(sizes[v][0], sizes[v][1]), new int[]{1, 1, 1, 1});
        return oneByOne && depthwise3x3 && lastUse[v] == v;
    }

    /**
     * Memories for every value over a few shared buffers: a value takes a buffer whose last value was read for the
     * last time before the step that writes it. A residual add's value is its skip tensor's buffer; the 1x1 half of
     * a fused pair has none.
     */
    private dnnl_memory[] bindBuffers(List<Conv> convs, dnnl_memory_desc_t[] valueMd, int[] lastUse,
                                      boolean[] fusedWithNext, boolean reorderInput) {
        int values = valueMd.length;
        List<long[]> slots = new ArrayList<>(); // {bytes, busy until step}
        int[] slotOf = new int[values];
        Arrays.fill(slotOf, -1);
        for (int v = reorderInput ? 0 : 1; v < values; v++) {
            boolean intoSkip = v > 0 && convs.get(v - 1).sumInto() > 0;
            boolean insideFusedPair = v > 0 && fusedWithNext[v - 1];
            if (intoSkip || insideFusedPair) {
                continue;
            }
            int writtenAt = v >= 2 && fusedWithNext[v - 2] ? v - 2 : v - 1;
            long bytes = dnnl_memory_desc_get_size(valueMd[v]);
            int slot = -1;
            for (int s = 0; s < slots.size() && slot < 0; s++) {
                if (slots.get(s)[1] < writtenAt) {
                    slot = s;
                }
            }
            if (slot < 0) {
                slot = slots.size();
                slots.add(new long[]{0, 0});
            }
            slots.get(slot)[0] = Math.max(slots.get(slot)[0], bytes);
            slots.get(slot)[1] = lastUse[v];
            slotOf[v] = slot;
        }
        Pointer[] slotBuffers = new Pointer[slots.size()];
        for (int s = 0; s < slots.size(); s++) {
            dnnl_memory raw = track(Dnnl.memory(Dnnl.floats(dnnl_a, (slots.get(s)[0] + 3) / 4), Dnnl.ALLOCATE));
            PointerPointer<Pointer> handle = new PointerPointer<>(1);
            check(dnnl_memory_get_data_handle(raw, handle), "reading a buffer address");
            slotBuffers[s] = handle.get(0);
        }
        dnnl_memory[] valueMem = new dnnl_memory[values];
        for (int v = 0; v < values; v++) {
            if (slotOf[v] >= 0) {
                valueMem[v] = track(Dnnl.memory(valueMd[v], slotBuffers[slotOf[v]]));
            }
        }
        for (int v = 1; v < values; v++) {
            if (valueMem[v] == null && convs.get(v - 1).sumInto() > 0) {
                valueMem[v] = valueMem[convs.get(v - 1).sumInto()];
            }
        }
        return valueMem;
    }

    /**
     * Runs the plan on {@code batch} float images at {@code input} (in the layout it was planned for), writing pooled
     * features {@code [batch, c]} or NHWC maps {@code [batch, h, w, c]} to {@code output}, and the program's side maps
     * (NHWC) to {@code sideMaps} unless it is null.
     */
    void run(Pointer input, Pointer output, boolean pooled, Pointer sideMaps) {
        if (closed) {
            throw new IllegalStateException("plan already closed");
        }
        if (sideMaps != null && sideMapsOutput == null) {
            throw new IllegalStateException("this plan's program reads out no side maps");
        }
        check(dnnl_memory_set_data_handle(userInput, input), "binding the input");
        check(dnnl_memory_set_data_handle(pooled ? pooledOutput : mapsOutput, output), "binding the output");
        if (sideMaps != null) {
            check(dnnl_memory_set_data_handle(sideMapsOutput, sideMaps), "binding the side maps");
        }
        for (int i = 0; i < steps.size(); i++) {
            execute(steps.get(i));
            if (sideMaps != null && i == sideMapsAfterStep) {
                execute(sideMapsReadOut);
            }
        }
        for (Step step : pooled ? pool : toNhwc) {
            execute(step);
        }
        check(dnnl_stream_wait(stream), "waiting for the stream");
    }

    private void execute(Step step) {
        check(dnnl_primitive_execute(step.primitive(), stream, step.count(), step.args()), "running a primitive");
    }

    /**
     * The primitive descriptor of {@code conv} with its post-ops, and with {@code fusedDepthwise} appended as a
     * depthwise post-op when not null; null then if oneDNN would run the pair with its slow reference fallback.
     */
    private dnnl_primitive_desc convolution(Conv conv, dnnl_memory_desc_t src, dnnl_memory_desc_t dst, long[] inSize,
                                            Conv fusedDepthwise) {
        int[] p = conv.padding(inSize[0], inSize[1]);
        dnnl_convolution_desc_t desc = new dnnl_convolution_desc_t();
        check(dnnl_dilated_convolution_forward_desc_init(desc, dnnl_forward_inference, dnnl_convolution_direct, src,
                Constants.anyLayout(conv), Dnnl.floats(dnnl_a, conv.outChannels()), dst,
                new long[]{conv.stride()[0], conv.stride()[1]},
                new long[]{conv.dilation()[0] - 1, conv.dilation()[1] - 1}, new long[]{p[0], p[2]},
                new long[]{p[1], p[3]}), "describing convolution " + conv.name());
        dnnl_primitive_attr attr = new dnnl_primitive_attr();
        check(dnnl_primitive_attr_create(attr), "creating attributes");
        dnnl_post_ops postOps = new dnnl_post_ops();
        check(dnnl_post_ops_create(postOps), "creating post-ops");
        dnnl_primitive_desc pd = new dnnl_primitive_desc();
        try {
            appendPostOps(postOps, conv);
            if (fusedDepthwise != null) {
                check(dnnl_post_ops_append_dw_k3s1p1(postOps, dnnl_f32, dnnl_f32, dnnl_f32, 1, 0, new float[]{1f}),
                        "fusing " + fusedDepthwise.name());
                appendPostOps(postOps, fusedDepthwise);
            }
            check(dnnl_primitive_attr_set_post_ops(attr, postOps), "setting post-ops");
            int status = dnnl_primitive_desc_create(pd, new const_dnnl_op_desc_t(desc), attr, Dnnl.cpu(), null);
            if (fusedDepthwise != null && status != dnnl_success) {
                return null;
            }
            check(status, "planning convolution " + conv.name());
        } finally {
            dnnl_post_ops_destroy(postOps);
            dnnl_primitive_attr_destroy(attr);
        }
        if (fusedDepthwise != null && Dnnl.implementation(pd).startsWith("ref")) {
            dnnl_primitive_desc_destroy(pd);
            return null;
        }
        descs.add(pd);
        return pd;
    }

    private static void appendPostOps(dnnl_post_ops postOps, Conv conv) {
        for (PostOp op : conv.postOps()) {
            if (op instanceof Clip clip) {
                double max = clip.activation().max();
                check(max == 0 ? dnnl_post_ops_append_eltwise(postOps, 1f, dnnl_eltwise_relu, 0f, 0f)
                        : dnnl_post_ops_append_eltwise(postOps, 1f, dnnl_eltwise_clip, 0f, (float) max),
                        "adding an activation to " + conv.name());
            } else {
                check(dnnl_post_ops_append_sum(postOps, 1f), "adding a residual sum to " + conv.name());
            }
        }
    }

    private Step convolutionStep(Conv conv, Conv fusedDepthwise, dnnl_primitive_desc pd, dnnl_memory src,
                                 dnnl_memory dst) {
        dnnl_memory[] weightsAndBias = constants(conv, pd, DNNL_ARG_WEIGHTS);
        if (fusedDepthwise == null) {
            return step(pd, new int[]{DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_BIAS, DNNL_ARG_DST},
                    src, weightsAndBias[0], weightsAndBias[1], dst);
        }
        dnnl_memory[] dw = constants(fusedDepthwise, pd, DNNL_ARG_ATTR_POST_OP_DW | DNNL_ARG_WEIGHTS);
        return step(pd, new int[]{DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_BIAS, DNNL_ARG_DST,
                        DNNL_ARG_ATTR_POST_OP_DW | DNNL_ARG_WEIGHTS, DNNL_ARG_ATTR_POST_OP_DW | DNNL_ARG_BIAS},
                src, weightsAndBias[0], weightsAndBias[1], dst, dw[0], dw[1]);
    }

    /** {@code conv}'s weights in the layout the kernel wants, and its bias, shared with the engine's other plans. */
    private dnnl_memory[] constants(Conv conv, dnnl_primitive_desc pd, int weightsArg) {
        dnnl_memory_desc_t weightsMd = dnnl_primitive_desc_query_md(pd, dnnl_query_exec_arg_md, weightsArg);
        return new dnnl_memory[]{constants.weights(conv, weightsMd), constants.bias(conv)};
    }

    /**
     * Global average pooling in the blocked layout (oneDNN's jit kernel; a plain-layout destination would take its
     * reference kernel, measured 7% of a batch-1 pass), then a reorder of the pooled {@code [b, c, 1, 1]} into rows.
     */
    private List<Step> globalAverage(dnnl_memory_desc_t srcMd, dnnl_memory src, long c, long h, long w) {
        dnnl_memory_desc_t pooledMd = Dnnl.floats(dnnl_nChw16c, batch, c, 1, 1);
        dnnl_pooling_desc_t desc = new dnnl_pooling_desc_t();
        check(dnnl_pooling_forward_desc_init(desc, dnnl_forward_inference, dnnl_pooling_avg_exclude_padding, srcMd,
                pooledMd, new long[]{1, 1}, new long[]{h, w}, new long[]{0, 0}, new long[]{0, 0}), "describing pooling");
        dnnl_primitive_desc pd = new dnnl_primitive_desc();
        check(dnnl_primitive_desc_create(pd, new const_dnnl_op_desc_t(desc), null, Dnnl.cpu(), null),
                "planning pooling");
        descs.add(pd);
        dnnl_memory pooled = track(Dnnl.memory(pooledMd, Dnnl.ALLOCATE));
        Step pool = step(pd, new int[]{DNNL_ARG_SRC, DNNL_ARG_DST}, src, pooled);
        return List.of(pool, reorder(pooledMd, pooled, Dnnl.floats(dnnl_nchw, batch, c, 1, 1), pooledOutput));
    }

    private Step reorder(dnnl_memory_desc_t fromMd, dnnl_memory from, dnnl_memory_desc_t toMd, dnnl_memory to) {
        dnnl_primitive_desc pd = new dnnl_primitive_desc();
        check(dnnl_reorder_primitive_desc_create(pd, fromMd, Dnnl.cpu(), toMd, Dnnl.cpu(), null), "planning a reorder");
        descs.add(pd);
        return step(pd, new int[]{DNNL_ARG_FROM, DNNL_ARG_TO}, from, to);
    }

    private Step step(dnnl_primitive_desc pd, int[] kinds, dnnl_memory... memories) {
        dnnl_primitive primitive = new dnnl_primitive();
        check(dnnl_primitive_create(primitive, pd), "creating a primitive");
        primitives.add(primitive);
        dnnl_exec_arg_t args = new dnnl_exec_arg_t(kinds.length);
        for (int k = 0; k < kinds.length; k++) {
            args.getPointer(k).arg(kinds[k]).memory(memories[k]);
        }
        return new Step(primitive, args, kinds.length);
    }

    private dnnl_memory track(dnnl_memory memory) {
        memories.add(memory);
        return memory;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        primitives.forEach(p -> dnnl_primitive_destroy(p));
        descs.forEach(d -> dnnl_primitive_desc_destroy(d));
        memories.forEach(m -> dnnl_memory_destroy(m));
        dnnl_stream_destroy(stream);
    }
}
