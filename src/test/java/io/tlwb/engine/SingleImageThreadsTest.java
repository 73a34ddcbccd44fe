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
        assertTrue(quiet[0] >= 290, "mostly every core on a quiet machine: " + quiet[0]);
        assertTrue(quiet[1] >= 10 && quiet[1] <= 30, "probes one thread now and then, two calls a probe: " + quiet[1]);
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
    void aColdFirstCallAfterASwitchDoesNotLockInTheSlowerChoice() {
        SingleImageThreads chooser = new SingleImageThreads();
        int[] counts = new int[2];
        int previous = -1;
        for (int i = 0; i < 640; i++) {
            int threads = chooser.choose(2);
            int choice = threads == 1 ? 1 : 0;
            boolean firstEver = counts[choice] == 0;
            boolean cold = choice != previous;
            // threaded: 1.3 ms warm, 3 ms cold, 8 ms the very first time; one thread: 1.9 / 2.2 / 4 ms
            long nanos = choice == 0 ? (firstEver ? 8_000_000 : cold ? 3_000_000 : 1_300_000)
                    : (firstEver ? 4_000_000 : cold ? 2_200_000 : 1_900_000);
            chooser.record(threads, nanos);
            counts[choice]++;
            previous = choice;
        }
        assertTrue(counts[0] >= 560, "every core, the faster when warm: " + counts[0] + " of 640");
    }

    @Test
    void aCallStalledNowAndThenDoesNotHandTheChoiceToTheSlowerThread() {
        SingleImageThreads chooser = new SingleImageThreads();
        int[] counts = new int[2];
        for (int i = 0; i < 640; i++) {
            int threads = chooser.choose(2);
            // every core 1.6 ms, one thread 2 ms; one threaded call in 50 stalled by the system for 13 ms
            chooser.record(threads, threads == 1 ? 2_000_000 : i % 50 == 49 ? 13_000_000 : 1_600_000);
            counts[threads == 1 ? 1 : 0]++;
        }
        assertTrue(counts[0] >= 560, "every core, stalls aside: " + counts[0] + " of 640");
    }

    @Test
    void oneCoreMeansOneThread() {
        assertEquals(1, new SingleImageThreads().choose(1));
    }
}
