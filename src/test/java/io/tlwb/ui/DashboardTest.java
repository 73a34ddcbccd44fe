package io.tlwb.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tlwb.RunFolder;
import io.tlwb.WorkbenchException;
import io.tlwb.Workspace;
import io.tlwb.testing.TinyTraining;
import io.tlwb.train.FineTuning;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DashboardTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path tmp;

    private Dashboard dashboard;

    @AfterEach
    void stop() {
        if (dashboard != null) {
            dashboard.close();
        }
    }

    /**
     * Trains the tiny head with the run's stats recorded and, given a dashboard, shown live; then holds the dashboard
     * open until {@code whileOpen} returns, as {@code train --ui} does until Ctrl-C.
     */
    static RunFolder trainTiny(Path tmp, Dashboard dashboard, int statsEvery, StopSignal whileOpen) {
        Workspace ws = new Workspace(tmp.resolve("ws"));
        RunFolder run = RunFolder.create(ws.runsDir(), "train");
        PrintWriter out = new PrintWriter(new StringWriter(), true);
        try (LiveRun live = LiveRun.begin(run, statsEvery, dashboard, whileOpen, out)) {
            TinyTraining.run(ws, run, live.listener());
            live.holdOpen(out);
        }
        return run;
    }

    private static boolean pause() throws InterruptedException {
        Thread.sleep(200);
        return true;
    }

    static String get(URI base, String path) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(base.resolve(path))
                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), path + ": " + response.body());
        return response.body();
    }

    @Test
    void showsALiveTrainingRunsScoresOverHttp() throws Exception {
        dashboard = Dashboard.start(Dashboard.LOOPBACK, 0, new PrintWriter(new StringWriter()));
        URI base = dashboard.url();
        AtomicReference<JsonNode> sessions = new AtomicReference<>();
        AtomicReference<String> current = new AtomicReference<>();
        AtomicReference<JsonNode> overview = new AtomicReference<>();
        RunFolder run = trainTiny(tmp, dashboard, 1, () -> {
            try {
                // The UI ingests stats events on its own thread: give it a moment after a fast run.
                long deadline = System.nanoTime() + 15_000_000_000L;
                do {
                    sessions.set(JSON.readTree(get(base, "/train/sessions/info")));
                } while (sessions.get().isEmpty() && System.nanoTime() < deadline && pause());
                current.set(get(base, "/train/sessions/current"));
                overview.set(JSON.readTree(get(base, "/train/overview/data")));
                assertTrue(get(base, "/train/overview").contains("scoreiterchart"));
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
        assertTrue(sessions.get().has(run.id()), "session named after the run: " + sessions);
        assertEquals(run.id(), current.get());
        assertTrue(overview.get().path("scores").size() >= 12, "one score per iteration: " + overview);
        assertTrue(dashboard.isStopped(), "the run's dashboard stops when the run closes");
        long bytes = Files.size(run.file(RunStats.FILE_NAME));
        assertTrue(bytes <= 3 << 20, "MapDB's 2 MiB floor, not more, for 18 iterations: " + bytes);
    }

    @Test
    void fineTuningContinuesTheRunsScoreCurve() throws Exception {
        Workspace ws = new Workspace(tmp.resolve("ws"));
        RunFolder run = RunFolder.create(ws.runsDir(), "train");
        try (RunStats stats = RunStats.record(run, 1)) {
            TinyTraining.run(ws, run, new FineTuning("Conv1_relu", 3, 1e-2), stats.listener());
        }
        try (RunStats saved = RunStats.open(run.dir())) {
            dashboard = Dashboard.start(Dashboard.LOOPBACK, 0, new PrintWriter(new StringWriter()));
            dashboard.show(saved);
            JsonNode overview = JSON.readTree(get(dashboard.url(), "/train/overview/data"));
            JsonNode iterations = overview.path("scoresIter");
            assertEquals(27, iterations.size(), "18 head and 9 fine-tuning iterations: " + iterations);
            for (int i = 0; i < iterations.size(); i++) {
                assertEquals(i, iterations.get(i).asInt(), "one curve, numbered on: " + iterations);
            }
            dashboard.close();
        }
    }

    @Test
    void reopensASavedStatsFileInAFreshServer() throws Exception {
        RunFolder run = trainTiny(tmp, null, 2, () -> { });
        Path file = run.file(RunStats.FILE_NAME);
        assertTrue(Files.size(file) > 0);
        try (RunStats saved = RunStats.open(run.dir())) {
            dashboard = Dashboard.start(Dashboard.LOOPBACK, 0, new PrintWriter(new StringWriter()));
            dashboard.show(saved);
            JsonNode overview = JSON.readTree(get(dashboard.url(), "/train/overview/data"));
            assertTrue(overview.path("scores").size() >= 6, "every second iteration's score: " + overview);
            dashboard.close();
        }
    }

    @Test
    void stopsCleanlyAndFreesThePort() throws Exception {
        dashboard = Dashboard.start(Dashboard.LOOPBACK, 0, new PrintWriter(new StringWriter()));
        URI base = dashboard.url();
        get(base, "/train/overview");
        dashboard.close();
        assertTrue(dashboard.isStopped());
        assertThrows(ConnectException.class, () -> HTTP.send(HttpRequest.newBuilder(base).build(),
                HttpResponse.BodyHandlers.discarding()));
        try (ServerSocket again = new ServerSocket(dashboard.port(), 1, InetAddress.getByName(Dashboard.LOOPBACK))) {
            assertEquals(dashboard.port(), again.getLocalPort());
        }
        dashboard = Dashboard.start(Dashboard.LOOPBACK, 0, new PrintWriter(new StringWriter()));
        get(dashboard.url(), "/train/overview");
    }

    @Test
    void aPortInUseMovesToTheNextFreeOneAndSaysSo() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName(Dashboard.LOOPBACK))) {
            StringWriter console = new StringWriter();
            dashboard = Dashboard.start(Dashboard.LOOPBACK, taken.getLocalPort(), new PrintWriter(console, true));
            assertNotEquals(taken.getLocalPort(), dashboard.port());
            assertTrue(console.toString().contains("port " + taken.getLocalPort() + " on 127.0.0.1 is in use"),
                    console.toString());
            get(dashboard.url(), "/train/overview");
        }
    }

    @Test
    void listensOnLoopbackOnly() throws Exception {
        dashboard = Dashboard.start(Dashboard.LOOPBACK, 0, new PrintWriter(new StringWriter()));
        AtomicReference<String> otherAddress = new AtomicReference<>();
        java.net.NetworkInterface.networkInterfaces().flatMap(java.net.NetworkInterface::inetAddresses)
                .filter(a -> !a.isLoopbackAddress() && a instanceof java.net.Inet4Address)
                .findFirst().ifPresent(a -> otherAddress.set(a.getHostAddress()));
        if (otherAddress.get() != null) {
            URI outside = URI.create("http://" + otherAddress.get() + ":" + dashboard.port() + "/train/overview");
            assertThrows(IOException.class, () -> HTTP.send(HttpRequest.newBuilder(outside)
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()));
        }
        assertEquals("localhost", dashboard.url().getHost());
    }

    @Test
    void aSecondDashboardInTheSameProcessIsRefusedWithTheFirstOnesAddress() {
        dashboard = Dashboard.start(Dashboard.LOOPBACK, 0, new PrintWriter(new StringWriter()));
        var e = assertThrows(WorkbenchException.class,
                () -> Dashboard.start(Dashboard.LOOPBACK, 0, new PrintWriter(new StringWriter())));
        assertTrue(e.getMessage().contains(dashboard.url().toString()), e.getMessage());
        assertFalse(dashboard.isStopped());
    }

    @Test
    void missingOrDamagedStatsFilesAreNamedInOneLine() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("runs/train-1"));
        var missing = assertThrows(WorkbenchException.class, () -> RunStats.open(empty));
        assertTrue(missing.getMessage().contains(empty.resolve(RunStats.FILE_NAME).toString()), missing.getMessage());

        Path garbage = Files.write(empty.resolve(RunStats.FILE_NAME), "not a stats file at all".repeat(100).getBytes());
        var damaged = assertThrows(WorkbenchException.class, () -> RunStats.open(garbage));
        assertTrue(damaged.getMessage().contains(garbage.toString()), damaged.getMessage());
        assertFalse(damaged.getMessage().contains("\n"), damaged.getMessage());
    }
}
