package io.tlwb.ui;

import io.tlwb.RunFolder;
import java.io.PrintWriter;
import java.net.URI;
import java.util.Optional;
import org.deeplearning4j.optimize.api.TrainingListener;

/**
 * The dashboard side of one training run: its stats always go to {@code runs/<id>/stats.dl4j}; with a dashboard they
 * are also shown live, and the dashboard can stay open after training until the user stops it.
 *
 * <pre>{@code
 * try (LiveRun live = LiveRun.begin(run, 1, dashboardOrNull, StopSignal.CTRL_C, out)) {
 *     job.addListeners(live.listener());
 *     ... train, write the report ...
 *     live.holdOpen(out);   // returns at once without a dashboard
 * }
 * }</pre>
 */
public final class LiveRun implements AutoCloseable {

    private final RunStats stats;
    private final Dashboard dashboard;
    private final StopSignal stop;

    private LiveRun(RunStats stats, Dashboard dashboard, StopSignal stop) {
        this.stats = stats;
        this.dashboard = dashboard;
        this.stop = stop;
    }

    /**
     * Starts recording the run's stats and, when {@code dashboard} is not null, shows them there and prints its URL.
     * The dashboard then belongs to this run and is stopped by {@link #close()}.
     */
    public static LiveRun begin(RunFolder run, int statsEvery, Dashboard dashboard, StopSignal stop, PrintWriter out) {
        RunStats stats = RunStats.record(run, statsEvery);
        if (dashboard != null) {
            dashboard.show(stats);
            out.printf("watch training at %s%n", dashboard.url());
            out.flush();
        }
        return new LiveRun(stats, dashboard, stop);
    }

    /** Put this on the graph that trains (TrainingJob.addListeners). */
    public TrainingListener listener() {
        return stats.listener();
    }

    /** How many iterations the run will have, for an automatic stats frequency ({@code --stats-every auto}). */
    public void planFor(long iterations) {
        stats.planFor(iterations);
    }

    public Optional<URI> dashboardUrl() {
        return dashboard == null ? Optional.empty() : Optional.of(dashboard.url());
    }

    /** With a dashboard: says so and waits for Ctrl-C (or the injected signal), then stops it. Otherwise a no-op. */
    public void holdOpen(PrintWriter out) {
        if (dashboard != null) {
            dashboard.waitUntilStopped(stop, out);
        }
    }

    /** Stops the dashboard if there is one and closes the stats file. */
    @Override
    public void close() {
        try {
            if (dashboard != null) {
                dashboard.close();
            }
        } finally {
            stats.close();
        }
    }
}
