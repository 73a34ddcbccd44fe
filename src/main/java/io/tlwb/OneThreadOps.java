package io.tlwb;

import java.util.function.Supplier;
import org.nd4j.nativeblas.NativeOps;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * Runs work with ND4J's ops on the calling thread kept to one core: head training, fine-tuning's elementwise ops,
 * the serving thread's head. A head's arrays are tiny ({@code [32 × 816]}), and OpenMP's fork and join around every op
 * cost more than the op: an iteration of the default head took 4.3–6.2 ms with two threads and 1.7–2.4 ms with one,
 * the same numbers to the last digit. OpenMP's thread count belongs to the calling thread, so other threads (the
 * engine's workers) keep theirs, and the caller's is restored afterwards. The engine and {@code Sgemm} set their own.
 */
public final class OneThreadOps {

    private OneThreadOps() {
    }

    public static <T> T call(Supplier<T> work) {
        NativeOps ops = NativeOpsHolder.getInstance().getDeviceNativeOps();
        int before = ops.ompGetMaxThreads();
        ops.setOmpNumThreads(1);
        try {
            return work.get();
        } finally {
            ops.setOmpNumThreads(before);
        }
    }

    public static void run(Runnable work) {
        call(() -> {
            work.run();
            return null;
        });
    }
}
