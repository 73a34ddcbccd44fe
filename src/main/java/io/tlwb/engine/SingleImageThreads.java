package io.tlwb.engine;

/**
 * Chooses the threads for a single image, which cannot be split across cores: one plan threaded over every core is
 * fastest on a quiet machine (1.6x one core here), but when other processes hold cores, OpenMP's threads wait at
 * every layer for a descheduled peer (2.6x slower than quiet with one core busy, measured) while a single-threaded
 * plan keeps its full speed. So both are timed now and then and the faster one is used: no environment variable to
 * set, and a change of load is followed within a few dozen calls.
 */
final class SingleImageThreads {

    /** One call in this many tries the other choice, to notice when the load has changed. */
    private static final int PROBE_EVERY = 32;
    private static final double SMOOTHING = 0.25;

    /** Smoothed seconds per call: [0] threaded over every core, [1] one thread; NaN until tried. */
    private final double[] seconds = {Double.NaN, Double.NaN};
    private long calls;

    /** The threads for the next call, given the cores the engine may use. */
    synchronized int choose(int cores) {
        if (cores == 1) {
            return 1;
        }
        calls++;
        int best;
        if (Double.isNaN(seconds[0]) || Double.isNaN(seconds[1])) {
            best = Double.isNaN(seconds[0]) ? 0 : 1;
        } else {
            best = seconds[0] <= seconds[1] ? 0 : 1;
            if (calls % PROBE_EVERY == 0) {
                best = 1 - best;
            }
        }
        return best == 0 ? cores : 1;
    }

    /** Records how long a call with {@code threads} took. */
    synchronized void record(int threads, long nanos) {
        int index = threads == 1 ? 1 : 0;
        double s = nanos / 1e9;
        seconds[index] = Double.isNaN(seconds[index]) ? s : seconds[index] + SMOOTHING * (s - seconds[index]);
    }
}
