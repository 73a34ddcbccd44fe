package io.tlwb;

import java.util.function.Supplier;
import org.nd4j.nativeblas.NativeOps;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * Runs work with the calling thread's OpenMP thread count set, and gives the thread its count back afterwards. The
 * count belongs to the calling thread, so other threads keep theirs. Every place that sets it goes through here:
 * <ul>
 *   <li>one thread for ND4J's small ops (head training, fine-tuning's elementwise ops, the decode-ahead and serving
 *       threads): on a head's {@code [32 × 816]} arrays OpenMP's fork and join around every op cost more than the op,
 *       4.3–6.2 ms an iteration with two threads against 1.7–2.4 ms with one, the same numbers to the last digit;</li>
 *   <li>the engine's plans and {@code Sgemm}, at the count they run on.</li>
 * </ul>
 */
public final class OpenMpThreads {

    private OpenMpThreads() {
    }

    public static <T> T call(int threads, Supplier<T> work) {
        NativeOps ops = NativeOpsHolder.getInstance().getDeviceNativeOps();
        int before = ops.ompGetMaxThreads();
        ops.setOmpNumThreads(threads);
        try {
            return work.get();
        } finally {
            ops.setOmpNumThreads(before);
        }
    }

    public static void run(int threads, Runnable work) {
        call(threads, () -> {
            work.run();
            return null;
        });
    }
}
