package io.tlwb.engine;

import java.util.Arrays;

/**
 * Chooses the cores for a single image: splitting it over every core is fastest on a quiet machine, but when other
 * processes hold cores, the parts wait at every meeting for a descheduled peer (with OpenMP's split, 2.6x slower than
 * quiet with one core busy, measured) while a single-threaded plan keeps its full speed. So both are timed now and
 * then and the faster one is used: no environment variable to set. A choice that gets slower is left after two calls.
 * The other choice is then probed again soon, and less often the longer it stays slower, since a burst of noise on a
 * shared machine also makes two calls slow. Probing one core from the split is spaced by time, so that it takes
 * about 2% of the engine's time.
 */
final class SingleImageThreads {

    private static final int SPLIT = 0;
    private static final int ONE_CORE = 1;

    /**
     * Calls between two probes of the split from one core, at most; after a switch the gap starts at two calls and
     * doubles at each probe. Probes of one core from the split also wait for {@link #PROBE_SPACING}.
     */
    private static final int PROBE_EVERY = 32;
    /**
     * Probes of one core from the split wait for this many times their expected cost in engine time: a load that
     * arrives shows in the split's own times, so these probes are only a check. At width 1.4, 224 px a probe every
     * 32 calls cost 5% of batch-1 throughput (two calls of 8 ms among calls of 4.5 ms).
     */
    private static final int PROBE_SPACING = 50;
    /**
     * Calls in a probe. The first call after a switch is not timed: it finds the other plan's buffers out of the
     * caches (or not yet touched) and the other cores' threads asleep. Timing it made a cold threaded run look slower
     * than a warm single-threaded one, and a launch that started on one thread stayed there: batch 1 at 160 px (width
     * 1.0) ran at 1.3 ms in some launches and 1.9-2.1 ms in others, measured.
     */
    private static final int PROBE_CALLS = 2;
    /**
     * Timed calls kept per choice; the median of them is its cost. A smoothed mean let one call stalled by the system
     * (13 ms among 1.6 ms ones) hand the choice to the slower single thread for about 200 calls.
     */
    private static final int WINDOW = 3;

    /** The last timed seconds per call of each choice, as a ring. */
    private final double[][] recent = new double[2][WINDOW];
    private final int[] kept = new int[2];
    private final int[] next = new int[2];
    /** Whether a choice's kept times are older than the probe now running, to be replaced by its time. */
    private final boolean[] stale = new boolean[2];
    private boolean explored;
    private int best = SPLIT;
    private int probeGap = PROBE_EVERY;
    private long callsSinceProbe;
    private long nanosSinceProbe;
    private int probeCallsLeft;
    private int lastChoice = -1;
    private boolean timed;

    /** The threads for the next call, given the cores the engine may use. */
    synchronized int choose(int cores) {
        if (cores == 1) {
            return 1;
        }
        callsSinceProbe++;
        int choice;
        if (!explored && (kept[SPLIT] < WINDOW || kept[ONE_CORE] < WINDOW)) {
            choice = kept[SPLIT] < WINDOW ? SPLIT : ONE_CORE; // a full window of each: one cold call decides nothing
        } else {
            explored = true;
            int faster = cost(SPLIT) <= cost(ONE_CORE) ? SPLIT : ONE_CORE;
            if (faster != best) {
                best = faster;
                probeGap = PROBE_CALLS;
                callsSinceProbe = 0;
            }
            if (probeCallsLeft == 0 && callsSinceProbe >= probeGap && (best == ONE_CORE
                    || nanosSinceProbe >= PROBE_SPACING * PROBE_CALLS * cost(ONE_CORE) * 1e9)) {
                probeCallsLeft = PROBE_CALLS;
                stale[1 - best] = true;
                probeGap = Math.min(PROBE_EVERY, probeGap * 2);
                callsSinceProbe = 0;
                nanosSinceProbe = 0;
            }
            choice = probeCallsLeft > 0 ? 1 - best : best;
            probeCallsLeft = Math.max(0, probeCallsLeft - 1);
        }
        timed = choice == lastChoice;
        lastChoice = choice;
        return choice == SPLIT ? cores : 1;
    }

    /** Records how long the call just chosen, with {@code threads}, took (ignored for a call after a switch). */
    synchronized void record(int threads, long nanos) {
        nanosSinceProbe += nanos;
        if (!timed) {
            return;
        }
        int index = threads == 1 ? ONE_CORE : SPLIT;
        if (stale[index]) {
            stale[index] = false;
            kept[index] = 0;
        }
        recent[index][next[index]] = nanos / 1e9;
        next[index] = (next[index] + 1) % WINDOW;
        kept[index] = Math.min(WINDOW, kept[index] + 1);
    }

    /** The median of choice {@code index}'s kept times. */
    private double cost(int index) {
        double[] times = new double[kept[index]];
        for (int i = 0; i < times.length; i++) {
            times[i] = recent[index][(next[index] - 1 - i + WINDOW) % WINDOW];
        }
        Arrays.sort(times);
        return times[times.length / 2];
    }
}
