package io.tlwb.cli;

import io.tlwb.WorkbenchException;
import io.tlwb.tune.SearchDashboard;
import io.tlwb.ui.Dashboard;
import io.tlwb.ui.RunStats;
import io.tlwb.ui.StopSignal;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.deeplearning4j.core.storage.StatsStorage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tlwb ui}: reopen past runs in the DL4J training dashboard. */
@Command(name = "ui",
        description = {
                "Reopen past training runs in the DL4J training dashboard (score, update ratios, parameter "
                        + "histograms, memory) and keep it open until Ctrl-C.",
                "Several runs appear in the dashboard's session selector. Without RUN_DIR: the latest run under --runs."})
final class UiCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--port", paramLabel = "N", defaultValue = "" + Dashboard.DEFAULT_PORT,
            description = "Port to listen on; if taken, the next free one is used and said (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = Dashboard.LOOPBACK,
            description = "Address to listen on: ${DEFAULT-VALUE} is this machine only; 0.0.0.0 is every interface "
                    + "(default: ${DEFAULT-VALUE}).")
    String bind;

    @Mixin
    WorkspaceOption workspaceOption;

    @Parameters(paramLabel = "RUN_DIR", arity = "0..*",
            description = "Run folders (runs/<id>) or their " + RunStats.FILE_NAME + " files.")
    List<Path> runDirs = new ArrayList<>();

    /** What keeps the dashboard open; tests replace Ctrl-C with their own checks. */
    StopSignal stopSignal = StopSignal.CTRL_C;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        List<Path> dirs = runDirs.isEmpty() ? List.of(latestRun(workspaceOption.workspace().runsDir())) : runDirs;
        List<RunStats> opened = new ArrayList<>();
        try {
            for (Path dir : dirs) {
                opened.add(RunStats.open(dir));
            }
            try (Dashboard dashboard = Dashboard.start(bind, port, out)) {
                for (RunStats stats : opened) {
                    dashboard.show(stats);
                    out.printf("showing %s (%s)%n", String.join(", ", stats.sessionIds()), stats.file());
                }
                for (Path dir : dirs) {
                    StatsStorage search = SearchDashboard.open(dir);
                    if (search != null) {
                        dashboard.attach(search);
                        out.printf("showing the hyperparameter search of %s at %s%n", dir, dashboard.arbiterUrl());
                    }
                }
                dashboard.waitUntilStopped(stopSignal, out);
            }
        } finally {
            opened.forEach(RunStats::close);
        }
        return 0;
    }

    /** The run folder under {@code runsDir} whose stats file was written last. */
    static Path latestRun(Path runsDir) {
        if (!Files.isDirectory(runsDir)) {
            throw new WorkbenchException("no runs folder at " + runsDir.toAbsolutePath().normalize()
                    + ": train first, or pass a RUN_DIR (or --workspace DIR)");
        }
        try (Stream<Path> children = Files.list(runsDir)) {
            return children.map(dir -> dir.resolve(RunStats.FILE_NAME))
                    .filter(Files::isRegularFile)
                    .max(Comparator.comparing(UiCommand::modified))
                    .map(Path::getParent)
                    .orElseThrow(() -> new WorkbenchException("no run under " + runsDir.toAbsolutePath().normalize()
                            + " has dashboard stats (" + RunStats.FILE_NAME + "): train first, or pass a RUN_DIR"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + runsDir, e);
        }
    }

    private static FileTime modified(Path file) {
        try {
            return Files.getLastModifiedTime(file);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }
}
