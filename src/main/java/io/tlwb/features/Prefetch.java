package io.tlwb.features;

import io.tlwb.OpenMpThreads;
import io.tlwb.data.DataException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/**
 * Batches decoded a few ahead on a thread of their own while the caller runs the engine on the one before. Unlike
 * DL4J's {@code AsyncDataSetIterator}, whose prefetch thread dies silently on an error and leaves its reader waiting
 * forever, a batch that fails (a file deleted or damaged since the scan) fails the caller's {@link #next()} with the
 * reason.
 */
final class Prefetch implements AutoCloseable {

    private final DataSetIterator source;
    private final int ahead;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(task -> {
        // DataVec's conversions and the pixel scaling are small ND4J ops: one core, beside the engine on the others
        Thread t = new Thread(() -> OpenMpThreads.run(1, task), "tlwb-decode-ahead");
        t.setDaemon(true);
        return t;
    });
    private final Deque<Future<DataSet>> pending = new ArrayDeque<>();

    /** @param ahead batches decoded ahead of the one being used */
    Prefetch(DataSetIterator source, int ahead) {
        this.source = source;
        this.ahead = ahead;
        refill();
    }

    /**
     * The next batch, or null after the last.
     *
     * @throws DataException when decoding the batch failed, with the reason
     */
    DataSet next() {
        Future<DataSet> head = pending.removeFirst();
        refill();
        try {
            return head.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DataException("interrupted while decoding images", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            while (cause.getCause() != null) {
                cause = cause.getCause();
            }
            throw new DataException("an image can no longer be read (" + cause.getMessage() + "): it changed since "
                    + "the folder was scanned; run again", e.getCause());
        }
    }

    /** Keeps {@code ahead + 1} reads queued; the thread runs them in order, so each sees the source as it should. */
    private void refill() {
        while (pending.size() <= ahead) {
            pending.addLast(thread.submit(() -> source.hasNext() ? source.next() : null));
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
