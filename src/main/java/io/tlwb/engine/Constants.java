package io.tlwb.engine;

import static io.tlwb.engine.Dnnl.check;
import static org.bytedeco.dnnl.global.dnnl.dnnl_a;
import static org.bytedeco.dnnl.global.dnnl.dnnl_format_tag_any;
import static org.bytedeco.dnnl.global.dnnl.dnnl_goihw;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_equal;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_get_memory_desc;
import static org.bytedeco.dnnl.global.dnnl.dnnl_oihw;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_wait;

import io.tlwb.engine.BaseProgram.Conv;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_stream;
import org.bytedeco.javacpp.FloatPointer;

/**
 * Every convolution's weights, reordered once into each layout a kernel asked for, and its bias: shared by all the
 * plans of an engine instance (every batch size, image size and worker thread), which only read them. Without it
 * each plan kept its own copy of the weights (17 MB per plan at width 1.4).
 */
final class Constants implements AutoCloseable {

    private final Map<Conv, List<dnnl_memory>> weights = new IdentityHashMap<>();
    private final Map<Conv, dnnl_memory> biases = new IdentityHashMap<>();
    private final List<FloatPointer> biasValues = new ArrayList<>();

    /** {@code conv}'s weights in the layout {@code md}, reordered from the program's the first time it is asked. */
    synchronized dnnl_memory weights(Conv conv, dnnl_memory_desc_t md) {
        List<dnnl_memory> layouts = weights.computeIfAbsent(conv, c -> new ArrayList<>());
        for (dnnl_memory memory : layouts) {
            dnnl_memory_desc_t held = new dnnl_memory_desc_t();
            check(dnnl_memory_get_memory_desc(memory, held), "reading a layout");
            if (dnnl_memory_desc_equal(held, md) != 0) {
                return memory;
            }
        }
        dnnl_memory memory = Dnnl.memory(md, Dnnl.ALLOCATE);
        reorder(conv, memory, md);
        layouts.add(memory);
        return memory;
    }

    /** {@code conv}'s bias. */
    synchronized dnnl_memory bias(Conv conv) {
        return biases.computeIfAbsent(conv, c -> {
            FloatPointer values = new FloatPointer(c.bias());
            biasValues.add(values);
            return Dnnl.memory(Dnnl.floats(dnnl_a, c.outChannels()), values);
        });
    }

    /** Weights in the layout a kernel picks, for describing a convolution. */
    static dnnl_memory_desc_t anyLayout(Conv conv) {
        return describe(conv, dnnl_format_tag_any);
    }

    /** Weights as the program holds them: {@code oihw}, or {@code goihw} when depthwise. */
    private static dnnl_memory_desc_t programLayout(Conv conv) {
        return describe(conv, conv.groups() > 0 ? dnnl_goihw : dnnl_oihw);
    }

    private static dnnl_memory_desc_t describe(Conv conv, int tag) {
        int[] k = conv.kernel();
        return conv.groups() > 0
                ? Dnnl.floats(tag, conv.groups(), conv.outChannels() / conv.groups(), 1, k[0], k[1])
                : Dnnl.floats(tag, conv.outChannels(), conv.inChannels(), k[0], k[1]);
    }

    /** Writes {@code conv}'s weights into {@code to}, laid out as {@code toMd}. */
    private void reorder(Conv conv, dnnl_memory to, dnnl_memory_desc_t toMd) {
        dnnl_memory_desc_t fromMd = programLayout(conv);
        try (FloatPointer values = new FloatPointer(conv.weights()); Primitives natives = new Primitives(this)) {
            dnnl_stream stream = natives.stream();
            natives.reorder(fromMd, natives.memory(fromMd, values), toMd, to).execute(stream);
            check(dnnl_stream_wait(stream), "reordering weights of " + conv.name());
        }
    }

    @Override
    public synchronized void close() {
        weights.values().forEach(layouts -> layouts.forEach(m -> dnnl_memory_destroy(m)));
        biases.values().forEach(m -> dnnl_memory_destroy(m));
        biasValues.forEach(FloatPointer::close);
        weights.clear();
        biases.clear();
        biasValues.clear();
    }
}
