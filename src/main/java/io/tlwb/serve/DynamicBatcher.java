package io.tlwb.serve;

import io.tlwb.OpenMpThreads;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.IntConsumer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Batches concurrent requests for one model on one inference thread (the engine runs one batch at a time): the
 * thread takes the oldest decoded image, then gathers more, up to {@code maxBatch}, for at most {@code maxDelay} —
 * but only while other requests are still decoding ({@link #expect}), so a lone request never waits. Decoding happens
 * on the callers' threads, before {@link #submit}.
 */
public final class DynamicBatcher implements AutoCloseable {

    /** A full queue: the caller should answer 503 and ask the client to retry. */
    public static final class QueueFull extends RuntimeException {
        QueueFull(int capacity) {
            super("the model's queue is full (" + capacity + " images waiting); retry shortly");
        }
    }

    private record Job(INDArray image, CompletableFuture<float[]> result) {
    }

    private final Function<INDArray, float[][]> model;
    private final int maxBatch;
    private final long maxDelayNanos;
    private final BlockingQueue<Job> queue;
    private final AtomicInteger decoding = new AtomicInteger();
    private final IntConsumer onBatch;
    private final Thread thread;
    private volatile boolean running = true;

    /**
     * @param model   images {@code [n, h, w, 3]} to class probabilities {@code [n][classes]}, called on the
     *                batcher's own thread only (e.g. {@link Predictor#probabilities})
     * @param onBatch told the size of every batch run (for the metrics)
     */
    public DynamicBatcher(String name, Function<INDArray, float[][]> model, int maxBatch, long maxDelayMillis,
                          int queueCapacity, IntConsumer onBatch) {
        if (maxBatch < 1 || maxDelayMillis < 0 || queueCapacity < 1) {
            throw new IllegalArgumentException("max batch >= 1, max delay >= 0 ms and queue >= 1 are required");
        }
        this.model = model;
        this.maxBatch = maxBatch;
        this.maxDelayNanos = TimeUnit.MILLISECONDS.toNanos(maxDelayMillis);
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.onBatch = onBatch;
        // the head's small ops on one core; the engine sets its own threads per call
        this.thread = new Thread(() -> OpenMpThreads.run(1, this::loop), "tlwb-infer-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Says an image is on its way (received, decoding): the inference thread may wait for it to join a batch.
     * Every call must be followed by one {@link #submit} or {@link #abandon}.
     */
    public void expect() {
        decoding.incrementAndGet();
    }

    /** An image {@link #expect}ed will not come (it did not decode). */
    public void abandon() {
        decoding.decrementAndGet();
    }

    /**
     * Queues an {@link #expect}ed image {@code [1, h, w, 3]} for inference.
     *
     * @return its class probabilities, when its batch has run
     * @throws QueueFull when {@code queueCapacity} images already wait
     */
    public CompletableFuture<float[]> submit(INDArray image) {
        CompletableFuture<float[]> result = new CompletableFuture<>();
        // no longer decoding before it is queued: counted as both, it would make a batch wait for itself
        decoding.decrementAndGet();
        if (!queue.offer(new Job(image, result))) {
            throw new QueueFull(queue.remainingCapacity() + queue.size());
        }
        return result;
    }

    /** Images waiting for the inference thread. */
    public int queueDepth() {
        return queue.size();
    }

    private void loop() {
        List<Job> batch = new ArrayList<>(maxBatch);
        while (running) {
            try {
                Job first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                long deadline = System.nanoTime() + maxDelayNanos;
                while (batch.size() < maxBatch) {
                    Job next = queue.poll();
                    if (next == null) {
                        long left = deadline - System.nanoTime();
                        if (decoding.get() == 0 || left <= 0) {
                            break; // nobody else is coming in time: run what we have
                        }
                        next = queue.poll(left, TimeUnit.NANOSECONDS);
                        if (next == null) {
                            break;
                        }
                    }
                    batch.add(next);
                }
                run(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
            } finally {
                batch.clear();
            }
        }
        Job left;
        while ((left = queue.poll()) != null) {
            left.result().completeExceptionally(new IllegalStateException("the server is stopping"));
        }
    }

    private void run(List<Job> batch) {
        INDArray images = batch.size() == 1 ? batch.get(0).image()
                : Nd4j.concat(0, batch.stream().map(Job::image).toArray(INDArray[]::new));
        try {
            float[][] probabilities = model.apply(images);
            onBatch.accept(batch.size());
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).result().complete(probabilities[i]);
            }
        } catch (RuntimeException | Error e) {
            batch.forEach(job -> job.result().completeExceptionally(e));
        } finally {
            // the decoded images are the batcher's to free: off-heap, and a server sees thousands a minute
            batch.forEach(job -> job.image().close());
            if (batch.size() > 1) {
                images.close();
            }
        }
    }

    /** Stops the inference thread; images still queued fail. */
    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
