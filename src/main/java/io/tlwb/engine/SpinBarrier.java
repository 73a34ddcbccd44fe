package io.tlwb.engine;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A one-use barrier for a few threads that meet every few tens of microseconds: they spin rather than park, since
 * waking a parked thread costs more than the work between two meetings, and yield after a while, in case the peer
 * they wait for was descheduled.
 */
final class SpinBarrier {

    /**
     * How long a party spins before yielding its core at each turn: longer than the usual gap between parties (tens
     * of microseconds), short against a scheduler tick, which a descheduled peer would otherwise wait for.
     */
    private static final long SPIN_NANOS = 200_000;

    private final int parties;
    private final AtomicInteger arrived = new AtomicInteger();
    private volatile int generation;
    private volatile boolean broken;

    SpinBarrier(int parties) {
        this.parties = parties;
    }

    /**
     * Waits until every party has arrived.
     *
     * @throws IllegalStateException when a party has failed and will not arrive
     */
    void await() {
        int current = generation;
        if (arrived.incrementAndGet() == parties) {
            arrived.set(0);
            generation = current + 1;
            return;
        }
        long waitStart = System.nanoTime();
        while (generation == current) {
            if (broken) {
                throw new IllegalStateException("another engine thread failed");
            }
            if (System.nanoTime() - waitStart < SPIN_NANOS) {
                Thread.onSpinWait();
            } else {
                Thread.yield(); // the peer was descheduled, maybe for this very core: let it run
            }
        }
    }

    /** Releases the waiting parties with an exception: a party failed and will not arrive. */
    void breakBarrier() {
        broken = true;
    }
}
