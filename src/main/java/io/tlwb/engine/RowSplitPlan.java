package io.tlwb.engine;

import static io.tlwb.engine.Dnnl.check;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_set_data_handle;
import static org.bytedeco.dnnl.global.dnnl.dnnl_nhwc;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_wait;

import io.tlwb.engine.BaseProgram.Conv;
import io.tlwb.engine.Primitives.Step;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_stream;
import org.bytedeco.javacpp.Pointer;

/**
 * One image through the base on several cores at once, each core computing its own band of rows of every layer with
 * single-threaded primitives. Activations are NHWC, so a band of rows (or any run of pixels) is a dense tensor of its
 * own and the cores share one buffer per value. A 1x1 convolution reads only the pixels its core has just written:
 * the cores meet before each 3x3 convolution (which reads a row of the neighbouring band) and where a 1x1 one reads
 * pixels another core wrote, 19-23 times per MobileNetV2 against OpenMP's 53 joins, and each core keeps its own rows
 * in its cache. On 2 cores at batch 1 this was 1.31-1.40x faster than one blocked-layout plan threaded over both at
 * width 1.0, 1.04-1.15x at width 1.4 (docs/engine.md). Buffers are shared by liveness a stage at a time: a value takes the buffer of one that no part
 * reads after the meeting before it is written.
 */
final class RowSplitPlan implements AutoCloseable {

    private final int parts;
    private final dnnl_stream[] streams;
    /** Per part, its rows of the caller's input, bound for each call at {@link #inputOffsets} bytes in. */
    private final dnnl_memory[] inputBands;
    private final long[] inputOffsets;
    /** Stage, part, steps: after each stage every part waits for the others. */
    private final List<List<List<Step>>> stages = new ArrayList<>();
    private final dnnl_memory pooledOutput;
    private final dnnl_memory mapsOutput;
    private final dnnl_memory sideMapsOutput;
    private final Step pool;
    private final Step maps;
    private final Step sideMaps;
    private final Primitives natives;
    private boolean closed;

    RowSplitPlan(BaseProgram program, Constants constants, int parts, long height, long width, InputLayout layout) {
        this.parts = parts;
        this.natives = new Primitives(constants);
        streams = new dnnl_stream[parts];
        for (int k = 0; k < parts; k++) {
            streams[k] = natives.stream();
        }
        List<Conv> convs = program.convs();
        long[][] sizes = program.valueSizes(height, width);
        int values = convs.size() + 1;
        long[] channels = new long[values];
        channels[0] = 3;
        for (int v = 1; v < values; v++) {
            channels[v] = convs.get(v - 1).outChannels();
        }
        BaseProgram.SideMaps side = program.sideMaps();
        int out = program.outputValue();

        // 1. who computes what, and when the parts meet. Stage 0: each part copies its rows of the input. Then a 3x3
        //    convolution reads rows of the neighbouring bands, so a stage starts there; a 1x1 one takes an even share
        //    of the pixels and starts a stage only when another part wrote some of them (an odd number of rows), or
        //    when it adds into a value another part still reads in this stage
        long[][][] pixels = new long[convs.size()][][];
        boolean[] pointwise = new boolean[convs.size()];
        int[] stageOf = new int[convs.size()];
        long[][][] written = new long[values][parts][];
        for (int k = 0; k < parts; k++) {
            long[] rows = band(height, k);
            written[0][k] = new long[]{rows[0] * width, rows[1] * width};
        }
        boolean[] readAcross = new boolean[values];
        int stages = 1;
        for (int i = 0; i < convs.size(); i++) {
            Conv conv = convs.get(i);
            int dst = conv.sumInto() > 0 ? conv.sumInto() : i + 1;
            pointwise[i] = conv.pointwise(sizes[conv.input()][0], sizes[conv.input()][1]);
            pixels[i] = new long[parts][];
            for (int k = 0; k < parts; k++) {
                long[] rows = band(sizes[dst][0], k);
                pixels[i][k] = pointwise[i] ? band(sizes[dst][0] * sizes[dst][1], k)
                        : new long[]{rows[0] * sizes[dst][1], rows[1] * sizes[dst][1]};
            }
            boolean readsOthers = !pointwise[i] || !Arrays.deepEquals(pixels[i], written[conv.input()]);
            boolean sumWaits = conv.sumInto() > 0
                    && (readAcross[conv.sumInto()] || !Arrays.deepEquals(pixels[i], written[conv.sumInto()]));
            if (readsOthers || sumWaits) {
                stages++;
                Arrays.fill(readAcross, false);
            }
            readAcross[conv.input()] |= readsOthers;
            written[dst] = pixels[i];
            stageOf[i] = stages - 1;
        }

        // 2. buffers by liveness, a stage at a time: a value may take the buffer of one no part reads after the
        //    stage before it is written (an add writes into its skip tensor's buffer)
        int[] owner = new int[values];
        int[] lastRead = new int[values];
        for (int v = 0; v < values; v++) {
            owner[v] = v > 0 && convs.get(v - 1).sumInto() > 0 ? owner[convs.get(v - 1).sumInto()] : v;
        }
        for (int i = 0; i < convs.size(); i++) {
            Conv conv = convs.get(i);
            lastRead[owner[conv.input()]] = Math.max(lastRead[owner[conv.input()]], stageOf[i]);
            lastRead[owner[i + 1]] = Math.max(lastRead[owner[i + 1]], stageOf[i]);
        }
        lastRead[owner[out]] = Integer.MAX_VALUE; // read out after the last stage
        if (side != null) {
            lastRead[owner[side.value()]] = Integer.MAX_VALUE;
        }
        long[] bytes = new long[values];
        int[] writtenAt = new int[values];
        for (int v = 0; v < values; v++) {
            bytes[v] = owner[v] == v ? channels[v] * sizes[v][0] * sizes[v][1] * Float.BYTES : 0;
            writtenAt[v] = v == 0 ? 0 : stageOf[v - 1];
        }
        Pointer[] owned = natives.buffersByLiveness(bytes, writtenAt, lastRead);
        Pointer[] buffers = new Pointer[values];
        for (int v = 0; v < values; v++) {
            buffers[v] = owned[owner[v]];
        }

        // 3. the steps
        for (int s = 0; s < stages; s++) {
            newStage();
        }
        inputBands = new dnnl_memory[parts];
        inputOffsets = new long[parts];
        for (int k = 0; k < parts; k++) {
            long[] rows = band(height, k);
            if (rows[0] == rows[1]) {
                continue;
            }
            long n = rows[1] - rows[0];
            dnnl_memory_desc_t from = layout == InputLayout.NHWC ? Dnnl.floats(dnnl_nhwc, 1, 3, n, width)
                    : Dnnl.strided(new long[]{1, 3, n, width}, new long[]{3 * height * width, height * width, width, 1});
            inputBands[k] = natives.memory(from, null);
            inputOffsets[k] = rows[0] * width * (layout == InputLayout.NHWC ? 3 : 1) * Float.BYTES;
            this.stages.get(0).get(k).add(natives.reorder(from, inputBands[k], window(channels[0], n, width),
                    natives.memory(window(channels[0], n, width), pixelOf(buffers[0], channels[0], rows[0] * width))));
        }
        for (int i = 0; i < convs.size(); i++) {
            Conv conv = convs.get(i);
            int in = conv.input();
            int dst = conv.sumInto() > 0 ? conv.sumInto() : i + 1;
            int[] padding = conv.padding(sizes[in][0], sizes[in][1]);
            for (int k = 0; k < parts; k++) {
                long[] own = pixels[i][k];
                if (own[0] == own[1]) {
                    continue;
                }
                dnnl_memory_desc_t srcMd;
                dnnl_memory_desc_t dstMd;
                long srcFrom;
                int[] bandPadding;
                if (pointwise[i]) {
                    // a 1x1 convolution is the same on any run of pixels: described as one row of them
                    srcMd = window(channels[in], 1, own[1] - own[0]);
                    dstMd = window(channels[dst], 1, own[1] - own[0]);
                    srcFrom = own[0];
                    bandPadding = padding;
                } else {
                    // the input rows this band of output rows reads, and the padding where they run off the tensor
                    long[] rows = band(sizes[dst][0], k);
                    long kernelRows = (long) (conv.kernel()[0] - 1) * conv.dilation()[0] + 1;
                    long top = rows[0] * conv.stride()[0] - padding[0];
                    long end = (rows[1] - 1) * conv.stride()[0] - padding[0] + kernelRows;
                    long lo = Math.max(0, top);
                    long hi = Math.min(sizes[in][0], end);
                    srcMd = window(channels[in], hi - lo, sizes[in][1]);
                    dstMd = window(channels[dst], rows[1] - rows[0], sizes[dst][1]);
                    srcFrom = lo * sizes[in][1];
                    bandPadding = new int[]{(int) (lo - top), (int) (end - hi), padding[2], padding[3]};
                }
                var pd = natives.convolution(conv, srcMd, dstMd, bandPadding, null);
                this.stages.get(stageOf[i]).get(k).add(natives.convolutionStep(conv, null, pd,
                        natives.memory(srcMd, pixelOf(buffers[in], channels[in], srcFrom)),
                        natives.memory(dstMd, pixelOf(buffers[dst], channels[dst], own[0]))));
            }
        }

        // read-outs, by part 0 once every part is done
        long c = channels[out];
        dnnl_memory_desc_t outMd = window(c, sizes[out][0], sizes[out][1]);
        dnnl_memory outMem = natives.memory(outMd, buffers[out]);
        // [1, c, 1, 1] lies the same in NHWC as in a row; described as NHWC the jit kernel pools (plain: the reference)
        dnnl_memory_desc_t pooledMd = window(c, 1, 1);
        pooledOutput = natives.memory(pooledMd, null);
        pool = natives.globalAverage(outMd, outMem, pooledMd, pooledOutput, sizes[out][0], sizes[out][1]);
        mapsOutput = natives.memory(outMd, null);
        maps = natives.reorder(outMd, outMem, outMd, mapsOutput);
        if (side != null) {
            long[] at = sizes[side.value()];
            dnnl_memory_desc_t sideMd = window(side.channels(), at[0], at[1]);
            sideMapsOutput = natives.memory(sideMd, null);
            sideMaps = natives.reorder(sideMd, natives.memory(sideMd, buffers[side.value()]), sideMd, sideMapsOutput);
        } else {
            sideMapsOutput = null;
            sideMaps = null;
        }
    }

    private void newStage() {
        List<List<Step>> stage = new ArrayList<>();
        for (int k = 0; k < parts; k++) {
            stage.add(new ArrayList<>());
        }
        stages.add(stage);
    }

    /**
     * Part {@code k}'s share {@code [from, to)} of {@code n} rows or pixels, as even as can be, smaller ones first:
     * part 0 runs on the calling thread, which also reads the result out and starts the next call (batch 1 at width
     * 1.4, 224 px: 4% faster than larger ones first, two interleaved pairs).
     */
    private long[] band(long n, int k) {
        return new long[]{n * k / parts, n * (k + 1) / parts};
    }

    private static dnnl_memory_desc_t window(long channels, long rows, long width) {
        return Dnnl.floats(dnnl_nhwc, 1, channels, rows, width);
    }

    /** Where pixel {@code pixel} (row-major) of a one-image NHWC tensor starts. */
    private static Pointer pixelOf(Pointer buffer, long channels, long pixel) {
        return new Address(buffer.address() + pixel * channels * Float.BYTES);
    }

    int parts() {
        return parts;
    }

    /**
     * Runs part {@code k} of one image at {@code input} (the layout planned for); part 0 then writes pooled features
     * {@code [1, c]} or NHWC maps to {@code output}, and the side maps (NHWC) to {@code sideMapsOut} unless it is
     * null. Every part must run at once, each on its own thread with OpenMP at one thread, meeting at {@code barrier}.
     */
    void run(int k, Pointer input, Pointer output, boolean pooled, Pointer sideMapsOut, SpinBarrier barrier) {
        if (closed) {
            throw new IllegalStateException("plan already closed");
        }
        if (inputBands[k] != null) {
            check(dnnl_memory_set_data_handle(inputBands[k], new Address(input.address() + inputOffsets[k])),
                    "binding the input");
        }
        for (List<List<Step>> stage : stages) {
            for (Step step : stage.get(k)) {
                step.execute(streams[k]);
            }
            check(dnnl_stream_wait(streams[k]), "waiting for the stream");
            barrier.await();
        }
        if (k != 0) {
            return;
        }
        check(dnnl_memory_set_data_handle(pooled ? pooledOutput : mapsOutput, output), "binding the output");
        (pooled ? pool : maps).execute(streams[0]);
        if (sideMapsOut != null) {
            check(dnnl_memory_set_data_handle(sideMapsOutput, sideMapsOut), "binding the side maps");
            sideMaps.execute(streams[0]);
        }
        check(dnnl_stream_wait(streams[0]), "waiting for the stream");
    }

    /** Frees the plan's native objects; idempotent. */
    @Override
    public void close() {
        closed = true;
        natives.close();
    }
}
