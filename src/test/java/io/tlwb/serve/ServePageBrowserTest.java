package io.tlwb.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tlwb.RunFolder;
import io.tlwb.Workspace;
import io.tlwb.data.LabeledImage;
import io.tlwb.model.SavedModel;
import io.tlwb.pipeline.TrainingResult;
import io.tlwb.report.RunReport;
import io.tlwb.testing.DevToolsBrowser;
import io.tlwb.testing.HeadlessChromium;
import io.tlwb.testing.TinyTraining;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The serving page in real headless Chromium: choose a photo, see its class and the bars. */
class ServePageBrowserTest {

    static final Path SHOTS = Path.of("target", "screenshots");

    @TempDir
    Path tmp;

    @Test
    void choosingAnImageShowsTheClassThePredictorGivesWithItsBars() throws Exception {
        HeadlessChromium.assumeInstalled();
        Workspace ws = new Workspace(tmp.resolve("ws"));
        TrainingResult result = TinyTraining.run(ws, RunFolder.create(ws.runsDir(), "train"));
        RunReport.write(result);
        LabeledImage image = result.dataset().validation().get(0);
        String expected = new Predictor(SavedModel.load(result.modelFile())).predict(image.file()).label();

        try (ModelServer server = ModelServer.start(Map.of("bugs", result.modelFile()),
                ModelServerTest.settings(null, null, 20L << 20, 5_000));
             DevToolsBrowser browser = DevToolsBrowser.start(1200, 800)) {
            browser.navigate(server.url());
            browser.waitFor("document.querySelector('#card-fields dd') !== null", JsonNode::asBoolean, 20);
            assertTrue(browser.evaluate("document.querySelector('#card-fields').textContent").asText()
                    .contains("ants, bees"), "the model card shows the classes");
            assertEquals("/models/bugs/report", browser.evaluate(
                    "document.querySelector('#card-fields a').getAttribute('href')").asText(), "links the report");

            browser.chooseFiles("#files", List.of(image.file()));
            JsonNode label = browser.waitFor("(document.querySelector('.result .label') || {}).textContent || null",
                    v -> !v.isNull(), 30);
            assertEquals(expected, label.asText());
            assertEquals(2, browser.evaluate("document.querySelectorAll('.result .bar').length").asInt());
            JsonNode bar = browser.evaluate("(r => [r.left, r.top, r.width, r.height])"
                    + "(document.querySelector('.result .fill').getBoundingClientRect())");
            assertTrue(bar.get(2).asDouble() > 10, "the top class's bar is laid out: " + bar);

            BufferedImage shot = ImageIO.read(browser.screenshot(SHOTS.resolve("serve-page.png")).toFile());
            int x = (int) Math.ceil(bar.get(0).asDouble());
            int y = (int) Math.ceil(bar.get(1).asDouble());
            int w = (int) bar.get(2).asDouble() - 1;
            int h = (int) bar.get(3).asDouble() - 1;
            assertTrue(accentPixels(shot, x, y, w, h) > 0.8 * w * h, "the top bar is painted in the screenshot");
            browser.evaluate("document.getElementById('explain').checked = true");
            browser.chooseFiles("#files", List.of(result.dataset().validation().get(1).file()));
            browser.waitFor("document.querySelectorAll('.result .label').length === 2", JsonNode::asBoolean, 30);
            assertTrue(browser.evaluate("document.querySelector('.result img').src").asText()
                    .startsWith("data:image/png;base64,"), "the newest result shows its activation map");
            assertEquals(List.of(), browser.errors(), "no console errors");
        }
    }

    /** Pixels of the page's accent colour (#2d6cdf), which the top bar is filled with, inside a rectangle. */
    private static int accentPixels(BufferedImage image, int left, int top, int width, int height) {
        int count = 0;
        for (int y = top; y < top + height; y++) {
            for (int x = left; x < left + width; x++) {
                int rgb = image.getRGB(x, y);
                int r = (rgb >> 16) & 0xFF;
                int g = (rgb >> 8) & 0xFF;
                int b = rgb & 0xFF;
                if (Math.abs(r - 0x2d) < 12 && Math.abs(g - 0x6c) < 12 && Math.abs(b - 0xdf) < 12) {
                    count++;
                }
            }
        }
        return count;
    }
}
