package io.tlwb.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tlwb.RunFolder;
import io.tlwb.Workspace;
import io.tlwb.pipeline.TrainingResult;
import io.tlwb.report.RunReport;
import io.tlwb.testing.HeadlessChromium;
import io.tlwb.testing.TinyTraining;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard and the report in a real browser (Debian's headless chromium): charts render, no console errors.
 * Screenshots go to {@code target/browser/}.
 */
@Tag("browser")
class BrowserTest {

    static final Path SHOTS = Path.of("target", "browser");

    @TempDir
    Path tmp;

    @BeforeEach
    void needsChromium() {
        HeadlessChromium.assumeInstalled();
    }

    @Test
    void dashboardPagesRenderTheLiveRunsChartsWithoutConsoleErrors() {
        Workspace ws = new Workspace(tmp);
        RunFolder run = RunFolder.create(ws.runsDir(), "train");
        PrintWriter out = new PrintWriter(new StringWriter(), true);
        List<HeadlessChromium.Page> pages = new ArrayList<>();
        Dashboard dashboard = Dashboard.start(Dashboard.LOOPBACK, 0, out);
        try (LiveRun live = LiveRun.begin(run, 1, dashboard, () -> { }, out)) {
            TinyTraining.run(ws, run, live.listener());
            URI base = dashboard.url();
            for (String page : List.of("overview", "model", "system")) {
                URI url = base.resolve("/train/" + page);
                pages.add(HeadlessChromium.load(url, 3000));
                if (!page.equals("system")) {
                    HeadlessChromium.screenshot(url, SHOTS.resolve("dashboard-" + page + ".png"), 1400, 1000, 3000);
                }
            }
        }
        for (HeadlessChromium.Page page : pages) {
            assertEquals(List.of(), page.errors(), "console errors; all console: " + page.console());
        }
        String overview = pages.get(0).dom();
        int chart = overview.indexOf("id=\"scoreiterchart\"");
        assertTrue(chart > 0 && overview.indexOf("flot-base", chart) > chart, "score chart drawn by flot: " + overview);
        assertTrue(overview.contains("ComputationGraph"), "model table filled in");
    }

    @Test
    void reportRendersEveryChartAndThumbnailWithoutConsoleErrors() throws Exception {
        Workspace ws = new Workspace(tmp);
        TrainingResult result = TinyTraining.run(ws, RunFolder.create(ws.runsDir(), "train"));
        Path report = RunReport.write(result);
        Files.createDirectories(SHOTS);
        Path kept = Files.copy(report, SHOTS.resolve("report.html"), StandardCopyOption.REPLACE_EXISTING);

        HeadlessChromium.Page page = HeadlessChromium.load(kept.toAbsolutePath().toUri(), 2000);
        HeadlessChromium.screenshot(kept.toAbsolutePath().toUri(), SHOTS.resolve("report.png"), 1400, 3200, 2000);

        assertEquals(List.of(), page.errors(), "console errors; all console: " + page.console());
        Matcher loaded = Pattern.compile("data-images-loaded=\"(\\d+)/(\\d+)\"").matcher(page.dom());
        assertTrue(loaded.find(), "the page's load script ran");
        assertEquals(loaded.group(2), loaded.group(1), "every inlined image decoded in the browser");
        assertTrue(Integer.parseInt(loaded.group(2)) >= 3, "loss, accuracy and ROC charts at least");
    }
}
