package io.tlwb.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SingleImageThreadsTest {

    /** Runs {@code calls} calls where every core costs {@code threaded} ns and one thread {@code single} ns. */
    private static int[] simulate(SingleImageThreads chooser, int calls, long threaded, long single) {
        int[] counts = new int[2];
        for (int i = 0; i < calls; i++) {
            int threads = chooser.choose(2);
            chooser.record(threads, threads == 1 ? single : threaded);
            counts[threads == 1 ? 1 : 0]++;
        }
        return counts;
    }

    @Test
    void triesBothThenKeepsTheFasterProbingTheOtherNowAndThen() {
        SingleImageThreads chooser = new SingleImageThreads();
        int[] quiet = simulate(chooser, 320, 2_500_000, 4_000_000);
        assertTrue(quiet[0] >= 300, "mostly every core on a quiet machine: " + quiet[0]);
        assertTrue(quiet[1] >= 5 && quiet[1] <= 20, "probes one thread now and then: " + quiet[1]);
    }

    @Test
    void followsAChangeOfLoadWithinAFewProbes() {
        SingleImageThreads chooser = new SingleImageThreads();
        simulate(chooser, 200, 2_500_000, 4_000_000);
        simulate(chooser, 32 * 8, 10_000_000, 4_000_000); // another process takes a core
        int[] loaded = simulate(chooser, 320, 10_000_000, 4_000_000);
        assertTrue(loaded[1] >= 300, "one thread once threaded runs got slower: " + loaded[1]);
    }

    @Test
    void oneCoreMeansOneThread() {
        assertEquals(1, new SingleImageThreads().choose(1));
    }
}
