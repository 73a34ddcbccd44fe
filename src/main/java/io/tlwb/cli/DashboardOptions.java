package io.tlwb.cli;

import io.tlwb.RunFolder;
import io.tlwb.WorkbenchException;
import io.tlwb.ui.Dashboard;
import io.tlwb.ui.LiveRun;
import io.tlwb.ui.RunStats;
import java.io.PrintWriter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The dashboard options of {@code train} ({@code @Mixin DashboardOptions dashboard;}). Every run records its
 * dashboard stats into its run folder, so {@code tlwb ui} can reopen it; {@code --ui} also shows it live.
 *
 * <pre>{@code
 * try (LiveRun live = dashboard.begin(run, out)) {
 *     job.addListeners(live.listener());
 *     TrainingResult result = job.run(base, options, run);
 *     ... write the report ...
 *     live.holdOpen(out);   // with --ui: "press Ctrl-C to stop" and waits; otherwise returns at once
 * }
 * }</pre>
 */
public final class DashboardOptions {

    @Mixin
    UiOptions ui;

    @Option(names = "--stats-every", paramLabel = "N|auto", defaultValue = "auto",
            description = "Record dashboard stats every N iterations (minibatches); auto spreads about 300 reports "
                    + "over the run (default: ${DEFAULT-VALUE}).")
    String statsEvery;

    /**
     * Starts recording {@code runs/<id>/stats.dl4j} and, with {@code --ui}, the dashboard showing it live (its URL
     * is printed on {@code out}). Close the result when the command ends.
     */
    public LiveRun begin(RunFolder run, PrintWriter out) {
        int every = statsEvery();
        Dashboard dashboard = ui.startIfWanted(out);
        try {
            return LiveRun.begin(run, every, dashboard, ui.stopSignal, out);
        } catch (RuntimeException e) {
            if (dashboard != null) {
                dashboard.close();
            }
            throw e;
        }
    }

    private int statsEvery() {
        if (statsEvery.trim().equalsIgnoreCase("auto")) {
            return RunStats.AUTO;
        }
        try {
            int every = Integer.parseInt(statsEvery.trim());
            if (every >= 1) {
                return every;
            }
        } catch (NumberFormatException e) {
            // fall through to the message
        }
        throw new WorkbenchException("--stats-every must be at least 1 iteration, or auto; got " + statsEvery);
    }
}
