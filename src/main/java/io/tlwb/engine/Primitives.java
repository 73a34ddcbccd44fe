package io.tlwb.engine;

import static io.tlwb.engine.Dnnl.check;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_ATTR_POST_OP_DW;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_BIAS;
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
import static org.bytedeco.dnnl.global.dnnl.dnnl_f32;
import static org.bytedeco.dnnl.global.dnnl.dnnl_forward_inference;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_get_data_handle;
import static org.bytedeco.dnnl.global.dnnl.dnnl_pooling_avg_exclude_padding;
import static org.bytedeco.dnnl.global.dnnl.dnnl_pooling_forward_desc_init;
import static org.bytedeco.dnnl.global.dnnl.dnnl_post_ops_append_dw_k3s1p1;
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
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_exec_arg_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_reorder_primitive_desc_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_default_flags;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_success;

import io.tlwb.engine.BaseProgram.Clip;
import io.tlwb.engine.BaseProgram.Conv;
import io.tlwb.engine.BaseProgram.PostOp;
import java.util.ArrayList;
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
 * The native objects of one plan: makes the memories, buffers, primitives and their bound arguments a plan needs,
 * keeps a Java reference to each (JavaCPP frees what Java forgets), and destroys them all on close. Convolution
 * weights are the engine's ({@link Constants}), shared by its plans.
 */
final class Primitives implements AutoCloseable {

    /** A primitive with its arguments, bound once. */
    record Step(dnnl_primitive primitive, dnnl_exec_arg_t args, int count) {
        void execute(dnnl_stream stream) {
            check(dnnl_primitive_execute(primitive, stream, count, args), "running a primitive");
        }
    }

    private final Constants constants;
    private final List<dnnl_primitive_desc> descs = new ArrayList<>();
    private final List<dnnl_primitive> primitives = new ArrayList<>();
    private final List<dnnl_memory> memories = new ArrayList<>();
    private final List<dnnl_stream> streams = new ArrayList<>();

    Primitives(Constants constants) {
        this.constants = constants;
    }

    /** A stream to run steps on, for one thread. */
    dnnl_stream stream() {
        dnnl_stream stream = new dnnl_stream();
        check(dnnl_stream_create(stream, Dnnl.cpu(), dnnl_stream_default_flags), "creating a stream");
        streams.add(stream);
        return stream;
    }

    /** A memory over {@code handle} ({@link Dnnl#ALLOCATE} for its own buffer, null to bind one later). */
    dnnl_memory memory(dnnl_memory_desc_t md, Pointer handle) {
        dnnl_memory memory = Dnnl.memory(md, handle);
        memories.add(memory);
        return memory;
    }

    /** A 64-byte aligned buffer of at least {@code bytes}, freed on close. */
    Pointer buffer(long bytes) {
        dnnl_memory raw = memory(Dnnl.floats(dnnl_a, (bytes + 3) / 4), Dnnl.ALLOCATE);
        PointerPointer<Pointer> handle = new PointerPointer<>(1);
        check(dnnl_memory_get_data_handle(raw, handle), "reading a buffer address");
        return handle.get(0);
    }

    /**
     * Buffers for a plan's values by liveness: value {@code v} needs {@code bytes[v]} (0: none of its own) from step
     * {@code writtenAt[v]} to step {@code lastRead[v]}, and takes the buffer of a value last read before that write,
     * or a new one. Returns each value's buffer, null where it needs none.
     */
    Pointer[] buffersByLiveness(long[] bytes, int[] writtenAt, int[] lastRead) {
        List<long[]> slots = new ArrayList<>(); // {bytes, busy until step}
        int[] slotOf = new int[bytes.length];
        for (int v = 0; v < bytes.length; v++) {
            slotOf[v] = -1;
            if (bytes[v] == 0) {
                continue;
            }
            int slot = 0;
            while (slot < slots.size() && slots.get(slot)[1] >= writtenAt[v]) {
                slot++;
            }
            if (slot == slots.size()) {
                slots.add(new long[2]);
            }
            slots.get(slot)[0] = Math.max(slots.get(slot)[0], bytes[v]);
            slots.get(slot)[1] = lastRead[v];
            slotOf[v] = slot;
        }
        Pointer[] slotBuffers = new Pointer[slots.size()];
        for (int slot = 0; slot < slots.size(); slot++) {
            slotBuffers[slot] = buffer(slots.get(slot)[0]);
        }
        Pointer[] buffers = new Pointer[bytes.length];
        for (int v = 0; v < bytes.length; v++) {
            buffers[v] = slotOf[v] < 0 ? null : slotBuffers[slotOf[v]];
        }
        return buffers;
    }

    /**
     * The primitive descriptor of {@code conv} padded by {@code padding} (top, bottom, left, right) with its post-ops,
     * and with {@code fusedDepthwise} appended as a depthwise post-op when not null; null then if oneDNN would run
     * the pair with its slow reference fallback.
     */
    dnnl_primitive_desc convolution(Conv conv, dnnl_memory_desc_t src, dnnl_memory_desc_t dst, int[] padding,
                                    Conv fusedDepthwise) {
        dnnl_convolution_desc_t desc = new dnnl_convolution_desc_t();
        check(dnnl_dilated_convolution_forward_desc_init(desc, dnnl_forward_inference, dnnl_convolution_direct, src,
                Constants.anyLayout(conv), Dnnl.floats(dnnl_a, conv.outChannels()), dst,
                new long[]{conv.stride()[0], conv.stride()[1]},
                new long[]{conv.dilation()[0] - 1, conv.dilation()[1] - 1}, new long[]{padding[0], padding[2]},
                new long[]{padding[1], padding[3]}), "describing convolution " + conv.name());
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

    /**
     * The step running {@code pd}, the descriptor of {@code conv} (with {@code fusedDepthwise} as its post-op when
     * not null), from {@code src} into {@code dst}, with the weights in the layout its kernel asked for.
     */
    Step convolutionStep(Conv conv, Conv fusedDepthwise, dnnl_primitive_desc pd, dnnl_memory src, dnnl_memory dst) {
        dnnl_memory weights = weights(conv, pd, DNNL_ARG_WEIGHTS);
        if (fusedDepthwise == null) {
            return step(pd, new int[]{DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_BIAS, DNNL_ARG_DST},
                    src, weights, constants.bias(conv), dst);
        }
        int dw = DNNL_ARG_ATTR_POST_OP_DW;
        return step(pd, new int[]{DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_BIAS, DNNL_ARG_DST,
                        dw | DNNL_ARG_WEIGHTS, dw | DNNL_ARG_BIAS},
                src, weights, constants.bias(conv), dst, weights(fusedDepthwise, pd, dw | DNNL_ARG_WEIGHTS),
                constants.bias(fusedDepthwise));
    }

    private dnnl_memory weights(Conv conv, dnnl_primitive_desc pd, int weightsArg) {
        return constants.weights(conv, dnnl_primitive_desc_query_md(pd, dnnl_query_exec_arg_md, weightsArg));
    }

    /** Global average pooling of {@code src} ({@code [b, c, h, w]}) into {@code dst} ({@code [b, c, 1, 1]}). */
    Step globalAverage(dnnl_memory_desc_t srcMd, dnnl_memory src, dnnl_memory_desc_t dstMd, dnnl_memory dst, long h,
                       long w) {
        dnnl_pooling_desc_t desc = new dnnl_pooling_desc_t();
        check(dnnl_pooling_forward_desc_init(desc, dnnl_forward_inference, dnnl_pooling_avg_exclude_padding, srcMd,
                dstMd, new long[]{1, 1}, new long[]{h, w}, new long[]{0, 0}, new long[]{0, 0}), "describing pooling");
        dnnl_primitive_desc pd = new dnnl_primitive_desc();
        check(dnnl_primitive_desc_create(pd, new const_dnnl_op_desc_t(desc), null, Dnnl.cpu(), null),
                "planning pooling");
        descs.add(pd);
        return step(pd, new int[]{DNNL_ARG_SRC, DNNL_ARG_DST}, src, dst);
    }

    Step reorder(dnnl_memory_desc_t fromMd, dnnl_memory from, dnnl_memory_desc_t toMd, dnnl_memory to) {
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

    /** Destroys every native object made so far; idempotent. */
    @Override
    public void close() {
        primitives.forEach(p -> dnnl_primitive_destroy(p));
        descs.forEach(d -> dnnl_primitive_desc_destroy(d));
        memories.forEach(m -> dnnl_memory_destroy(m));
        streams.forEach(t -> dnnl_stream_destroy(t));
        primitives.clear();
        descs.clear();
        memories.clear();
        streams.clear();
    }
}
