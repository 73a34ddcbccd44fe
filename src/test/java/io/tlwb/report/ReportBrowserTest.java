package io.tlwb.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tlwb.testing.HeadlessChromium;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The evaluation report's gallery in a real browser; and proof that the console check catches errors. */
@Tag("browser")
class ReportBrowserTest {

    static final Path SHOTS = Path.of("target", "browser");

    @TempDir
    Path tmp;

    @BeforeEach
    void needsChromium() {
        HeadlessChromium.assumeInstalled();
    }

    @Test
    void evaluationReportShowsEveryThumbnailOfTheGallery() throws Exception {
        Path report = Files.copy(RunReportTest.evaluationReportWithMistakes(tmp, RunReportTest::redSquare),
                Files.createDirectories(SHOTS).resolve("evaluation-report.html"), StandardCopyOption.REPLACE_EXISTING);
        HeadlessChromium.Page page = HeadlessChromium.load(report.toAbsolutePath().toUri(), 2000);
        HeadlessChromium.screenshot(report.toAbsolutePath().toUri(), SHOTS.resolve("evaluation-report.png"), 1400,
                1800, 2000);
        assertEquals(List.of(), page.errors(), "console: " + page.console());
        assertTrue(page.dom().contains("data-images-loaded=\"9/9\""),
                "4 thumbnails, their 4 activation maps and the ROC chart decoded");
    }

    @Test
    void theConsoleCheckSeesAnUncaughtError() throws Exception {
        Path broken = Files.writeString(tmp.resolve("broken.html"),
                "<html><body><script>noSuchFunction();</script></body></html>");
        HeadlessChromium.Page page = HeadlessChromium.load(broken.toUri(), 500);
        assertFalse(page.errors().isEmpty(), "console: " + page.console());
        assertTrue(page.errors().get(0).contains("noSuchFunction"), page.errors().toString());
    }
}
