package io.tlwb.engine;

import java.util.Arrays;

/**
 * Chooses the cores for a single image: splitting it over every core is fastest on a quiet machine, but when other
 * processes hold cores, the parts wait at every meeting for a descheduled peer (with OpenMP's split, 2.6x slower than
 * quiet with one core busy, measured) while a single-threaded plan keeps its full speed. So both are timed now and
 * then and the faster one is used: no environment variable to set; a choice that gets slower is left after two
 * calls, and one that gets faster is found within two probes.
 */
final class SingleImageThreads {

    /** One call in this many starts a probe of the other choice, to notice when the load has changed. */
    private static final int PROBE_EVERY = 32;
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

    /** The last timed seconds per call, as a ring: [0] split over every core, [1] one core. */
    private final double[][] recent = new double[2][WINDOW];
    private final int[] timedCalls = new int[2];
    private long calls;
    private int probeCallsLeft;
    private int lastChoice = -1;
    private boolean timed;

    /** The threads for the next call, given the cores the engine may use. */
    synchronized int choose(int cores) {
        if (cores == 1) {
            return 1;
        }
        calls++;
        int choice;
        if (timedCalls[0] == 0 || timedCalls[1] == 0) {
            choice = timedCalls[0] == 0 ? 0 : 1;
        } else {
            if (probeCallsLeft == 0 && calls % PROBE_EVERY == 0) {
                probeCallsLeft = PROBE_CALLS;
            }
            int best = cost(0) <= cost(1) ? 0 : 1;
            choice = probeCallsLeft > 0 ? 1 - best : best;
            probeCallsLeft = Math.max(0, probeCallsLeft - 1);
        }
        timed = choice == lastChoice;
        lastChoice = choice;
        return choice == 0 ? cores : 1;
    }

    /** Records how long the call just chosen, with {@code threads}, took (ignored for a call after a switch). */
    synchronized void record(int threads, long nanos) {
        if (!timed) {
            return;
        }
        int index = threads == 1 ? 1 : 0;
        recent[index][timedCalls[index]++ % WINDOW] = nanos / 1e9;
    }

    /** The median of choice {@code index}'s last timed calls (of those made so far, when fewer than the window). */
    private double cost(int index) {
        double[] kept = Arrays.copyOf(recent[index], Math.min(WINDOW, timedCalls[index]));
        Arrays.sort(kept);
        return kept[kept.length / 2];
    }
}
