package io.tlwb.engine;

import io.tlwb.OpenMpThreads;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.bytedeco.javacpp.Pointer;

/**
 * Runs a {@link RowSplitPlan} of several parts: the calling thread takes part 0 and one helper thread each other
 * part, all with OpenMP at one thread. Between calls a helper spins for a millisecond, then parks until the
 * next call.
 */
final class SplitRunner implements AutoCloseable {

    /**
     * How long an idle helper spins before parking: back-to-back calls find it spinning, while a service answering
     * now and then does not keep a core busy between requests (OpenMP's default spins about as long).
     */
    private static final long SPIN_NANOS = 1_000_000;

    private record Call(RowSplitPlan plan, Pointer input, Pointer output, boolean pooled, Pointer sideMaps,
                        SpinBarrier barrier, AtomicReference<Throwable> failure) {
    }

    private final List<Thread> helpers = new ArrayList<>();
    private volatile Call call;
    private volatile long calls;
    private volatile boolean stopped;

    SplitRunner(int parts) {
        for (int k = 1; k < parts; k++) {
            int part = k;
            Thread t = new Thread(() -> OpenMpThreads.run(1, () -> serve(part)), "tlwb-engine-part-" + k);
            t.setDaemon(true);
            t.start();
            helpers.add(t);
        }
    }

    int parts() {
        return helpers.size() + 1;
    }

    /** One image through {@code plan}, which has {@link #parts()} parts; the arguments are as for the plan's run. */
    void run(RowSplitPlan plan, Pointer input, Pointer output, boolean pooled, Pointer sideMaps) {
        if (plan.parts() != parts()) {
            throw new IllegalArgumentException("plan has " + plan.parts() + " parts, runner " + parts());
        }
        Call next = new Call(plan, input, output, pooled, sideMaps, new SpinBarrier(parts()), new AtomicReference<>());
        call = next;
        calls++;
        helpers.forEach(LockSupport::unpark);
        OpenMpThreads.run(1, () -> runPart(next, 0));
        if (next.failure().get() != null) {
            throw new IllegalStateException("an engine thread failed", next.failure().get());
        }
    }

    private static void runPart(Call c, int part) {
        try {
            c.plan().run(part, c.input(), c.output(), c.pooled(), c.sideMaps(), c.barrier());
        } catch (RuntimeException | Error e) {
            c.failure().compareAndSet(null, e); // the first failure; the others are the barrier it broke
            c.barrier().breakBarrier();
        }
    }

    private void serve(int part) {
        long seen = 0;
        while (true) {
            long idleSince = System.nanoTime();
            while (calls == seen && !stopped) {
                if (System.nanoTime() - idleSince < SPIN_NANOS) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
            if (stopped) {
                return;
            }
            seen = calls;
            runPart(call, part);
        }
    }

    /** Stops the helpers (after the call running now, if any). */
    @Override
    public void close() {
        stopped = true;
        helpers.forEach(LockSupport::unpark);
    }
}
