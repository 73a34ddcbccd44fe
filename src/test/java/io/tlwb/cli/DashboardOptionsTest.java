package io.tlwb.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tlwb.RunFolder;
import io.tlwb.Workspace;
import io.tlwb.testing.TinyTraining;
import io.tlwb.ui.LiveRun;
import io.tlwb.ui.RunStats;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

class DashboardOptionsTest {

    @TempDir
    Path tmp;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    /** Stands in for TrainCommand: the mixin, and the calls a training command makes around the job. */
    @Command(name = "train")
    static final class FakeTrain implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        DashboardOptions dashboard;
        Path root;
        RunFolder run;
        LiveRun live;

        @Override
        public Integer call() {
            Workspace ws = new Workspace(root);
            run = RunFolder.create(ws.runsDir(), "train");
            PrintWriter out = spec.commandLine().getOut();
            try (LiveRun live = dashboard.begin(run, out)) {
                this.live = live;
                TinyTraining.run(ws, run, live.listener());
                live.holdOpen(out);
            }
            return 0;
        }
    }

    private CommandLine cli(FakeTrain train) {
        train.root = tmp;
        CommandLine cli = new CommandLine(train);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        cli.setExecutionExceptionHandler(Main.commandLine(new PrintWriter(out), new PrintWriter(err))
                .getExecutionExceptionHandler());
        return cli;
    }

    @Test
    void withoutUiEveryRunStillRecordsItsStats() {
        FakeTrain train = new FakeTrain();
        assertEquals(0, cli(train).execute(), err.toString());
        assertFalse(train.dashboard.ui.ui);
        assertTrue(train.live.dashboardUrl().isEmpty());
        try (RunStats saved = RunStats.open(train.run.dir())) {
            assertEquals(List.of(train.run.id()), saved.sessionIds());
        }
    }

    @Test
    void withUiTheDashboardServesTheRunUntilStopped() {
        FakeTrain train = new FakeTrain();
        CommandLine cli = cli(train);
        AtomicInteger status = new AtomicInteger();
        train.dashboard.ui.stopSignal = () -> {
            try {
                status.set(HttpClient.newHttpClient().send(HttpRequest.newBuilder(train.live.dashboardUrl().get()
                        .resolve("/train/overview/data")).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        };
        assertEquals(0, cli.execute("--ui", "--ui-port", "0", "--stats-every", "2"), err.toString());
        assertEquals(200, status.get());
        assertTrue(out.toString().contains("watch training at http://localhost:"), out.toString());
        assertTrue(out.toString().contains("press Ctrl-C to stop"), out.toString());
        assertTrue(Files.isRegularFile(train.run.file(RunStats.FILE_NAME)));
    }

    @Test
    void aStatsFrequencyBelowOneIsRefusedWithTheOptionName() {
        assertEquals(Main.EXIT_USER_ERROR, cli(new FakeTrain()).execute("--stats-every", "0"));
        assertTrue(err.toString().contains("--stats-every must be at least 1"), err.toString());
    }
}
