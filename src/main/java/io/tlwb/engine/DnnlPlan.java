package io.tlwb.engine;

import static io.tlwb.engine.Dnnl.check;
import static org.bytedeco.dnnl.global.dnnl.dnnl_format_tag_any;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_equal;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_get_size;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_set_data_handle;
import static org.bytedeco.dnnl.global.dnnl.dnnl_nChw16c;
import static org.bytedeco.dnnl.global.dnnl.dnnl_nchw;
import static org.bytedeco.dnnl.global.dnnl.dnnl_nhwc;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_query_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_src_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_wait;

import io.tlwb.engine.BaseProgram.Conv;
import io.tlwb.engine.Primitives.Step;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.dnnl.dnnl_stream;
import org.bytedeco.javacpp.Pointer;

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
    private final dnnl_stream stream;
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
    private final Primitives natives;
    private boolean closed;

    DnnlPlan(BaseProgram program, Constants constants, long batch, long height, long width, InputLayout layout) {
        this.batch = batch;
        this.natives = new Primitives(constants);
        this.stream = natives.stream();
        List<Conv> convs = program.convs();
        long[][] sizes = program.valueSizes(height, width);
        int values = convs.size() + 1;
        int out = program.outputValue();
        dnnl_memory_desc_t[] valueMd = new dnnl_memory_desc_t[values];
        for (int v = 1; v < values; v++) {
            valueMd[v] = Dnnl.floats(dnnl_nChw16c, batch, convs.get(v - 1).outChannels(), sizes[v][0], sizes[v][1]);
        }
        dnnl_memory_desc_t userInputMd = Dnnl.floats(layout.dnnlTag, batch, 3, height, width);
        userInput = natives.memory(userInputMd, null);
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
            int[] padding = conv.padding(sizes[conv.input()][0], sizes[conv.input()][1]);
            if (i + 1 < convs.size() && !sideMapsInside && fusable(conv, convs.get(i + 1), i + 1, sizes, lastUse)) {
                pds[i] = natives.convolution(conv, src, dst, padding, convs.get(i + 1));
                fusedWithNext[i] = pds[i] != null;
            }
            if (pds[i] == null) {
                pds[i] = natives.convolution(conv, src, dst, padding, null);
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
            steps.add(natives.reorder(userInputMd, userInput, valueMd[0], valueMem[0]));
        }
        for (int i = 0; i < convs.size(); i++) {
            Conv conv = convs.get(i);
            Conv fused = fusedWithNext[i] ? convs.get(i + 1) : null;
            int dst = fused != null ? i + 2 : conv.sumInto() > 0 ? conv.sumInto() : i + 1;
            steps.add(natives.convolutionStep(conv, fused, pds[i], valueMem[conv.input()], valueMem[dst]));
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
            sideMapsOutput = natives.memory(sideMd, null);
            sideMapsReadOut = natives.reorder(valueMd[side.value()], valueMem[side.value()], sideMd, sideMapsOutput);
        } else {
            sideMapsOutput = null;
            sideMapsReadOut = null;
        }
        long c = convs.get(out - 1).outChannels();
        long h = sizes[out][0];
        long w = sizes[out][1];
        pooledOutput = natives.memory(Dnnl.floats(dnnl_nchw, batch, c, 1, 1), null);
        pool = globalAverage(valueMd[out], valueMem[out], c, h, w);
        dnnl_memory_desc_t mapsMd = Dnnl.floats(dnnl_nhwc, batch, c, h, w);
        mapsOutput = natives.memory(mapsMd, null);
        toNhwc = List.of(natives.reorder(valueMd[out], valueMem[out], mapsMd, mapsOutput));
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
                && pointwise.pointwise(sizes[pointwise.input()][0], sizes[pointwise.input()][1]);
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
        long[] bytes = new long[values];
        int[] writtenAt = new int[values];
        for (int v = reorderInput ? 0 : 1; v < values; v++) {
            boolean intoSkip = v > 0 && convs.get(v - 1).sumInto() > 0;
            boolean insideFusedPair = v > 0 && fusedWithNext[v - 1];
            bytes[v] = intoSkip || insideFusedPair ? 0 : dnnl_memory_desc_get_size(valueMd[v]);
            writtenAt[v] = v >= 2 && fusedWithNext[v - 2] ? v - 2 : v - 1;
        }
        Pointer[] buffers = natives.buffersByLiveness(bytes, writtenAt, lastUse);
        dnnl_memory[] valueMem = new dnnl_memory[values];
        for (int v = 0; v < values; v++) {
            if (buffers[v] != null) {
                valueMem[v] = natives.memory(valueMd[v], buffers[v]);
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
        step.execute(stream);
    }

    /**
     * Global average pooling in the blocked layout (oneDNN's jit kernel; a plain-layout destination would take its
     * reference kernel, measured 7% of a batch-1 pass), then a reorder of the pooled {@code [b, c, 1, 1]} into rows.
     */
    private List<Step> globalAverage(dnnl_memory_desc_t srcMd, dnnl_memory src, long c, long h, long w) {
        dnnl_memory_desc_t pooledMd = Dnnl.floats(dnnl_nChw16c, batch, c, 1, 1);
        dnnl_memory pooled = natives.memory(pooledMd, Dnnl.ALLOCATE);
        return List.of(natives.globalAverage(srcMd, src, pooledMd, pooled, h, w),
                natives.reorder(pooledMd, pooled, Dnnl.floats(dnnl_nchw, batch, c, 1, 1), pooledOutput));
    }

    /** Frees the plan's native objects; idempotent. */
    @Override
    public void close() {
        closed = true;
        natives.close();
    }
}
