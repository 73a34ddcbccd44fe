package io.tlwb.pipeline;

import java.util.Map;
import java.util.function.Supplier;

/** Seconds per named step of a job, in the order they ran, and since the job started. */
final class Timer {

    private final Map<String, Double> seconds;
    private final long start = System.nanoTime();

    /** @param seconds where each step's seconds go */
    Timer(Map<String, Double> seconds) {
        this.seconds = seconds;
    }

    <T> T time(String step, Supplier<T> work) {
        long t = System.nanoTime();
        T result = work.get();
        seconds.put(step, (System.nanoTime() - t) / 1e9);
        return result;
    }

    double total() {
        return (System.nanoTime() - start) / 1e9;
    }
}
