package io.tlwb;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Writes run in order on a thread of their own, so the thread doing the real work (the engine's, training's) never
 * waits on the disk: feature cache entries (creating 4000 small files took 2 s of a 20 s featurizing pass on the
 * development VM) and the dashboard's statistics (a MapDB commit with an fsync per report, a fifth of head training).
 * A bounded number of writes wait; {@link #close()} waits for every write and rethrows the first failure, so a full
 * disk still stops the job, one write later.
 */
public final class BackgroundWrites implements AutoCloseable {

    private final ExecutorService thread;
    private final Semaphore room;
    private final AtomicReference<RuntimeException> failure = new AtomicReference<>();

    /**
     * @param threadName what the writing thread is called (thread dumps, profiles)
     * @param pending    writes that may wait before {@link #submit} blocks
     */
    public BackgroundWrites(String threadName, int pending) {
        this.thread = Executors.newSingleThreadExecutor(task -> {
            Thread t = new Thread(task, threadName);
            t.setDaemon(true);
            return t;
        });
        this.room = new Semaphore(pending);
    }

    /** Queues a write, first rethrowing the failure of an earlier one. */
    public void submit(Runnable writes) {
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
