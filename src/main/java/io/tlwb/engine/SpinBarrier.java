package io.tlwb.engine;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A one-use barrier for a few threads that meet every few tens of microseconds: they spin rather than park, since
 * waking a parked thread costs more than the work between two meetings. Only for threads that each hold a core.
 */
final class SpinBarrier {

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
        while (generation == current) {
            if (broken) {
                throw new IllegalStateException("another engine thread failed");
            }
            Thread.onSpinWait();
        }
    }

    /** Releases the waiting parties with an exception: a party failed and will not arrive. */
    void breakBarrier() {
        broken = true;
    }
}
