package io.tlwb.ui;

import java.util.concurrent.CountDownLatch;

/**
 * What a dashboard that stays open waits for. On the command line that is Ctrl-C (the JVM's shutdown hooks then
 * stop the server); tests pass a signal that returns when they are done.
 */
@FunctionalInterface
public interface StopSignal {

    /** Blocks until the user wants the dashboard gone. */
    void await() throws InterruptedException;

    /** Waits until the process is interrupted or killed (Ctrl-C); the dashboard's shutdown hook cleans up. */
    StopSignal CTRL_C = () -> new CountDownLatch(1).await();
}
