package io.tlwb.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tlwb.RunFolder;
import io.tlwb.Workspace;
import io.tlwb.testing.TinyTraining;
import io.tlwb.ui.RunStats;
import io.tlwb.ui.StopSignal;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class UiCommandTest {

    private static final Pattern URL = Pattern.compile("(http://localhost:\\d+)/train/overview");

    @TempDir
    Path tmp;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    /** The real command line, with the ui command's Ctrl-C wait replaced by {@code whileOpen}. */
    private CommandLine cli(StopSignal whileOpen) {
        CommandLine cli = Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true));
        ((UiCommand) cli.getSubcommands().get("ui").getCommand()).stopSignal = whileOpen;
        return cli;
    }

    /** Reads an endpoint of the dashboard whose URL the command printed. */
    private String get(String path) throws Exception {
        Matcher m = URL.matcher(out.toString());
        assertTrue(m.find(), "printed URL: " + out);
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(m.group(1) + path))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), path);
        return r.body();
    }

    private RunFolder recordedRun(Workspace ws) {
        RunFolder run = RunFolder.create(ws.runsDir(), "train");
        try (RunStats stats = RunStats.record(run, 1)) {
            TinyTraining.run(ws, run, stats.listener());
        }
        return run;
    }

    @Test
    void reopensSeveralPastRunsAsSessionsOfOneDashboard() {
        Workspace ws = new Workspace(tmp);
        RunFolder first = recordedRun(ws);
        RunFolder second = recordedRun(ws);
        AtomicReference<JsonNode> sessions = new AtomicReference<>();
        int code = cli(() -> {
            try {
                sessions.set(new ObjectMapper().readTree(get("/train/sessions/info")));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }).execute("ui", "--port", "0", first.dir().toString(), second.file(RunStats.FILE_NAME).toString());
        assertEquals(0, code, err.toString());
        assertTrue(sessions.get().has(first.id()) && sessions.get().has(second.id()), sessions.toString());
        assertTrue(out.toString().contains("press Ctrl-C to stop"), out.toString());
    }

    @Test
    void withoutRunDirOpensTheLatestRunThatHasStats() {
        Workspace ws = new Workspace(tmp);
        recordedRun(ws);
        RunFolder latest = recordedRun(ws);
        AtomicReference<String> current = new AtomicReference<>();
        int code = cli(() -> {
            try {
                Files.createDirectories(ws.runsDir().resolve("inspect")); // other run folders are ignored
                current.set(get("/train/sessions/current"));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }).execute("ui", "--port", "0", "--workspace", ws.root().toString());
        assertEquals(0, code, err.toString());
        assertEquals(latest.id(), current.get());
    }

    @Test
    void aRunWithoutStatsIsAOneLineErrorNamingTheFile() throws Exception {
        Path run = Files.createDirectories(tmp.resolve("runs/train-1"));
        int code = cli(() -> { }).execute("ui", "--port", "0", run.toString());
        assertEquals(Main.EXIT_USER_ERROR, code);
        assertTrue(err.toString().startsWith("error: no dashboard stats at "
                + run.toAbsolutePath().resolve(RunStats.FILE_NAME)), err.toString());
        assertEquals(1, err.toString().lines().count(), err.toString());
    }

    @Test
    void noRunsAtAllSaysToTrainFirst() {
        int code = cli(() -> { }).execute("ui", "--workspace", tmp.resolve("nothing").toString());
        assertEquals(Main.EXIT_USER_ERROR, code);
        assertTrue(err.toString().contains("train first"), err.toString());
    }
}
