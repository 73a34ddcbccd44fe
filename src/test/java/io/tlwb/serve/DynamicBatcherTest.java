package io.tlwb.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class DynamicBatcherTest {

    /** A "model" whose answer for an image is its first pixel, so each caller can check it got its own row. */
    private static float[][] firstPixels(INDArray images) {
        float[][] out = new float[(int) images.size(0)][];
        for (int i = 0; i < out.length; i++) {
            out[i] = new float[] {images.getFloat(i, 0, 0, 0)};
        }
        return out;
    }

    private static INDArray image(float value) {
        return Nd4j.valueArrayOf(new long[] {1, 2, 2, 3}, value, DataType.FLOAT);
    }

    @Test
    void imagesWaitingTogetherRunAsOneBatchAndEachCallerGetsItsOwnRow() throws Exception {
        CountDownLatch firstBatchRunning = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<Integer> batches = new CopyOnWriteArrayList<>();
        try (DynamicBatcher batcher = new DynamicBatcher("t", images -> {
            firstBatchRunning.countDown();
            await(release);
            return firstPixels(images);
        }, 8, 5, 64, batches::add)) {
            batcher.expect();
            CompletableFuture<float[]> first = batcher.submit(image(100));
            assertTrue(firstBatchRunning.await(5, TimeUnit.SECONDS));
            List<CompletableFuture<float[]>> rest = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                batcher.expect();
                rest.add(batcher.submit(image(i)));
            }
            release.countDown();
            assertArrayEquals(new float[] {100}, first.get(5, TimeUnit.SECONDS));
            for (int i = 0; i < 5; i++) {
                assertArrayEquals(new float[] {i}, rest.get(i).get(5, TimeUnit.SECONDS));
            }
            assertEquals(List.of(1, 5), batches, "the five that queued behind the first ran together");
        }
    }

    @Test
    void aLoneImageDoesNotWaitForTheDelay() throws Exception {
        try (DynamicBatcher batcher = new DynamicBatcher("t", DynamicBatcherTest::firstPixels, 8, 1000, 4, n -> { })) {
            long start = System.nanoTime();
            batcher.expect();
            batcher.submit(image(3)).get(5, TimeUnit.SECONDS);
            assertTrue(System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(900),
                    "nothing else was decoding, so the 1 s delay was not waited");
        }
    }

    @Test
    void aFullQueueIsRefusedAtOnce() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (DynamicBatcher batcher = new DynamicBatcher("t", images -> {
            running.countDown();
            await(release);
            return firstPixels(images);
        }, 1, 0, 2, n -> { })) {
            batcher.expect();
            batcher.submit(image(0));
            assertTrue(running.await(5, TimeUnit.SECONDS));
            batcher.expect();
            batcher.submit(image(1));
            batcher.expect();
            batcher.submit(image(2));
            batcher.expect();
            assertThrows(DynamicBatcher.QueueFull.class, () -> batcher.submit(image(3)));
            assertEquals(2, batcher.queueDepth());
            release.countDown();
        }
    }

    @Test
    void aFailingBatchFailsEveryCallerInIt() {
        try (DynamicBatcher batcher = new DynamicBatcher("t", images -> {
            throw new IllegalStateException("engine broke");
        }, 8, 0, 4, n -> { })) {
            batcher.expect();
            CompletableFuture<float[]> result = batcher.submit(image(1));
            var e = assertThrows(Exception.class, () -> result.get(5, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof IllegalStateException, e.toString());
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
