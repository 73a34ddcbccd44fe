package io.tlwb.engine;

import static org.bytedeco.dnnl.global.dnnl.dnnl_cpu;
import static org.bytedeco.dnnl.global.dnnl.dnnl_engine_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_f32;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_init_by_strides;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_init_by_tag;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_query;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_impl_info_str;
import static org.bytedeco.dnnl.global.dnnl.dnnl_success;
import static org.bytedeco.dnnl.global.dnnl.dnnl_version;

import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.dnnl.dnnl_version_t;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;

/** The few oneDNN C API calls every part of a plan makes, with status checks. */
final class Dnnl {

    /** {@code DNNL_MEMORY_ALLOCATE}: let oneDNN allocate (64-byte aligned) and own a memory's buffer. */
    static final Pointer ALLOCATE = new Pointer() {
        {
            address = -1L;
        }
    };

    private static dnnl_engine cpu;

    private Dnnl() {
    }

    /** The process's one CPU engine; oneDNN engines are thread-safe and meant to be shared. */
    static synchronized dnnl_engine cpu() {
        if (cpu == null) {
            dnnl_engine engine = new dnnl_engine();
            check(dnnl_engine_create(engine, dnnl_cpu, 0), "creating the CPU engine");
            cpu = engine;
        }
        return cpu;
    }

    static void check(int status, String what) {
        if (status != dnnl_success) {
            throw new IllegalStateException("oneDNN failed " + what + " (status " + status + ")");
        }
    }

    /** A float memory descriptor with a fixed layout (or {@code dnnl_format_tag_any}). */
    static dnnl_memory_desc_t floats(int tag, long... dims) {
        dnnl_memory_desc_t md = new dnnl_memory_desc_t();
        check(dnnl_memory_desc_init_by_tag(md, dims.length, dims, dnnl_f32, tag), "describing a tensor");
        return md;
    }

    /** A float memory descriptor with explicit strides (elements), for a window of a larger tensor. */
    static dnnl_memory_desc_t strided(long[] dims, long[] strides) {
        dnnl_memory_desc_t md = new dnnl_memory_desc_t();
        check(dnnl_memory_desc_init_by_strides(md, dims.length, dims, dnnl_f32, strides), "describing a window");
        return md;
    }

    /** A memory over {@code handle} ({@link #ALLOCATE} for its own buffer, null to bind one later). */
    static dnnl_memory memory(dnnl_memory_desc_t md, Pointer handle) {
        dnnl_memory memory = new dnnl_memory();
        check(dnnl_memory_create(memory, md, cpu(), handle), "creating a memory");
        return memory;
    }

    /** The kernel oneDNN picked for a primitive, e.g. {@code jit_1x1:avx512_core}. */
    static String implementation(dnnl_primitive_desc pd) {
        PointerPointer<BytePointer> out = new PointerPointer<>(1);
        check(dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, out), "querying an implementation");
        return out.get(BytePointer.class, 0).getString();
    }

    /** "oneDNN 2.5.2", as loaded. */
    static String version() {
        dnnl_version_t v = dnnl_version();
        return "oneDNN " + v.major() + "." + v.minor() + "." + v.patch();
    }
}
