package io.tlwb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BackgroundWritesTest {

    @Test
    void closeReturnsOnlyAfterEveryQueuedWrite() {
        AtomicInteger written = new AtomicInteger();
        try (BackgroundWrites writes = new BackgroundWrites("test-writer", 4)) {
            for (int i = 0; i < 20; i++) {
                writes.submit(() -> {
                    sleep(5);
                    written.incrementAndGet();
                });
            }
        }
        assertEquals(20, written.get());
    }

    @Test
    void aFailedWriteFailsTheNextSubmitAndTheClose() throws Exception {
        UncheckedIOException diskFull = new UncheckedIOException(new IOException("No space left on device"));
        BackgroundWrites writes = new BackgroundWrites("test-writer", 4);
        writes.submit(() -> {
            throw diskFull;
        });
        // the writer runs in order: once a later write has run, the failure is recorded
        CountDownLatch later = new CountDownLatch(1);
        try {
            writes.submit(later::countDown);
        } catch (UncheckedIOException alreadyRecorded) {
            later.countDown();
        }
        later.await();
        assertSame(diskFull, assertThrows(UncheckedIOException.class, () -> writes.submit(() -> { })));
        assertSame(diskFull, assertThrows(UncheckedIOException.class, writes::close));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
