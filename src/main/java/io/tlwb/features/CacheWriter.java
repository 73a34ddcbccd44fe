package io.tlwb.features;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Feature cache entries written on a thread of their own, so the thread driving the engine never waits on the disk
 * (creating 4000 small files took 2 s of a 20 s featurizing pass on the development VM). At most {@value #PENDING}
 * batches wait; {@link #close()} waits for every write and rethrows the first failure, so a full disk still stops the
 * job, one batch later.
 */
final class CacheWriter implements AutoCloseable {

    private static final int PENDING = 8;

    private final ExecutorService thread = Executors.newSingleThreadExecutor(task -> {
        Thread t = new Thread(task, "tlwb-cache-writer");
        t.setDaemon(true);
        return t;
    });
    private final Semaphore room = new Semaphore(PENDING);
    private final AtomicReference<RuntimeException> failure = new AtomicReference<>();

    /** Queues a batch of writes, first rethrowing the failure of an earlier one. */
    void submit(Runnable writes) {
        rethrowFailure();
        room.acquireUninterruptibly();
        thread.execute(() -> {
            try {
                writes.run();
            } catch (RuntimeException e) {
                failure.compareAndSet(null, e);
            } finally {
                room.release();
            }
        });
    }

    /** Waits for every queued write; rethrows the first that failed. */
    @Override
    public void close() {
        thread.shutdown();
        boolean interrupted = false;
        while (true) {
            try {
                if (thread.awaitTermination(1, TimeUnit.MINUTES)) {
                    break;
                }
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        rethrowFailure();
    }

    private void rethrowFailure() {
        RuntimeException e = failure.get();
        if (e != null) {
            throw e;
        }
    }
}
