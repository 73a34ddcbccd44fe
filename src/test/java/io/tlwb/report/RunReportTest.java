package io.tlwb.report;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tlwb.RunFolder;
import io.tlwb.Workspace;
import io.tlwb.data.ImageDataset;
import io.tlwb.data.LabeledImage;
import io.tlwb.data.SkippedFile;
import io.tlwb.eval.EvaluationResult;
import io.tlwb.eval.Evaluator;
import io.tlwb.eval.Prediction;
import io.tlwb.model.HeadConfig;
import io.tlwb.model.ModelCard;
import io.tlwb.pipeline.TrainingResult;
import io.tlwb.testing.LearnableImages;
import io.tlwb.testing.TinyTraining;
import io.tlwb.train.EarlyStopping;
import io.tlwb.train.HeadTrainer;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunReportTest {

    private static final Pattern DATA_URI = Pattern.compile("src=\"data:image/(png|jpeg);base64,([A-Za-z0-9+/=]+)\"");
    /** A class folder and a file name that would break the page (or run script) if not escaped. */
    static final String NASTY_CLASS = "bees<b>&\"co\"";
    static final String NASTY_FILE = "<img src=x onerror=alert(1)>.jpg";

    @TempDir
    Path tmp;

    /** Decodes every inlined image of the page; each must be a real picture. */
    static List<BufferedImage> images(String html) throws Exception {
        List<BufferedImage> images = new ArrayList<>();
        Matcher m = DATA_URI.matcher(html);
        while (m.find()) {
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(m.group(2))));
            assertNotNull(image, "inlined " + m.group(1) + " decodes");
            images.add(image);
        }
        return images;
    }

    /** A tiny training on a dataset with an HTML-like class name and an unreadable file with an HTML-like name. */
    static TrainingResult trainNastyRun(Path root) throws Exception {
        Workspace ws = new Workspace(root);
        LearnableImages.write(ws.root().resolve("bugs"), 8, 32, 3);
        Files.move(ws.root().resolve("bugs/bees"), ws.root().resolve("bugs").resolve(NASTY_CLASS));
        Files.writeString(ws.root().resolve("bugs/ants").resolve(NASTY_FILE), "not an image");
        return TinyTraining.run(ws, RunFolder.create(ws.runsDir(), "train"));
    }

    @Test
    void trainingReportHasEverySectionAndItsChartsDecode() throws Exception {
        TrainingResult result = trainNastyRun(tmp);
        Path report = RunReport.write(result);

        assertEquals(result.run().file(RunReport.FILE_NAME), report);
        String html = Files.readString(report);
        for (String section : List.of("summary", "learning-curves", "confusion", "per-class", "roc", "top-losses",
                "skipped", "configuration", "weights", "timings", "provenance")) {
            assertTrue(html.contains("<section id=\"" + section + "\">"), section);
        }
        List<BufferedImage> images = images(html);
        assertTrue(images.size() >= 3, "loss, accuracy and ROC charts: " + images.size());
        assertEquals(Charts.WIDTH, images.get(0).getWidth());
        assertTrue(html.contains("0 (untrained)") && html.contains("the untrained head had"), "baseline marked");
        assertTrue(html.contains("test:tiny") && html.contains("out_relu"), "weight source");
        for (String step : result.secondsByStep().keySet()) {
            assertTrue(html.contains("<tr><th>" + step + "</th>"), "timing " + step);
        }
    }

    @Test
    void theEpochEarlyStoppingKeptIsMarked() throws Exception {
        TrainingResult r = trainNastyRun(tmp);
        HeadTrainer.Outcome o = r.outcome();
        TrainingResult stopped = new TrainingResult(r.model(), r.modelFile(), r.run(), r.dataset(),
                new HeadTrainer.Outcome(o.trained(), o.before(), o.after(), o.history(),
                        new EarlyStopping.Result(2, o.history().size(), 0.25)), r.secondsByStep());
        String html = Files.readString(RunReport.write(stopped));
        assertTrue(html.contains("Early stopping kept epoch <b>2</b> of " + o.history().size()), "the summary line");
        assertTrue(html.contains("<tr class=\"kept\"><td>2 (kept)</td>"), "the kept row");
    }

    @Test
    void namesFromTheDatasetAreEscaped() throws Exception {
        String html = Files.readString(RunReport.write(trainNastyRun(tmp)));
        assertFalse(html.contains(NASTY_CLASS), "raw class name");
        assertFalse(html.contains("<img src=x"), "raw file name");
        assertTrue(html.contains("bees&lt;b&gt;&amp;&quot;co&quot;"), "escaped class name");
        assertTrue(html.contains("&lt;img src=x onerror=alert(1)&gt;.jpg"), "escaped skipped file");
    }

    /** An evaluation report of 6 images, 4 of them wrong with different confidence, and one skipped file. */
    static Path evaluationReportWithMistakes(Path tmp) {
        return evaluationReportWithMistakes(tmp, image -> null);
    }

    /** As {@link #evaluationReportWithMistakes(Path)}, the gallery's maps drawn by {@code explainer}. */
    static Path evaluationReportWithMistakes(Path tmp, RunReport.Explainer explainer) {
        Path root = LearnableImages.write(tmp.resolve("bugs"), 3, 32, 5);
        List<String> classes = List.of("ants", "bees");
        List<LabeledImage> validation = new ArrayList<>();
        List<Prediction> predictions = new ArrayList<>();
        float[] wrongness = {0.9f, 0.6f, 0.2f};
        for (int c = 0; c < 2; c++) {
            for (int i = 0; i < 3; i++) {
                Path file = root.resolve(classes.get(c)).resolve(classes.get(c) + "-" + i + ".png");
                validation.add(new LabeledImage(file, c, "x"));
                float other = wrongness[i] - (c * 0.05f);
                predictions.add(new Prediction(file.toString(), c,
                        c == 0 ? new float[] {1 - other, other} : new float[] {other, 1 - other}));
            }
        }
        EvaluationResult evaluation = Evaluator.evaluate(classes, predictions);
        ImageDataset data = new ImageDataset(root, classes, List.of(), validation,
                List.of(new SkippedFile(root.resolve("ants/broken.jpg"), "not an image")));
        ModelCard card = new ModelCard(ModelCard.FORMAT, classes, 32, "ZERO_TO_ONE", "test:tiny", "0".repeat(64),
                "out_relu", List.of("head_output"), HeadConfig.TUTORIAL, Map.of("epochs", 6), Map.of(), "fp",
                Map.of("tool", "tlwb dev"));
        Map<String, Double> seconds = new LinkedHashMap<>();
        seconds.put("evaluate", 1.5);
        RunFolder run = RunFolder.create(tmp.resolve("runs"), "evaluate");
        return RunReport.writeEvaluation(run, card, tmp.resolve("m.zip"), data, evaluation, seconds, explainer);
    }

    @Test
    void evaluationReportShowsTheMostConfidentMistakesWithLabelsAndNoLearningCurves() throws Exception {
        String html = Files.readString(evaluationReportWithMistakes(tmp));

        assertFalse(html.contains("learning-curves"));
        assertTrue(html.contains("<section id=\"roc\">"));
        String gallery = html.substring(html.indexOf("<section id=\"top-losses\">"), html.indexOf("<section id=\"skipped\">"));
        assertEquals(4, gallery.split("<figure>").length - 1, "the four wrong images (p > 0.5 for the other class)");
        assertTrue(gallery.indexOf("ants/ants-0.png") < gallery.indexOf("bees/bees-0.png")
                && gallery.indexOf("bees/bees-0.png") < gallery.indexOf("ants/ants-1.png"), "worst first");
        assertTrue(gallery.contains("true <b>ants</b>, predicted <b>bees</b> 90.0%"), gallery);
        assertEquals(4 + 1, images(html).size(), "four thumbnails and the ROC chart");
        assertTrue(html.contains("ants/broken.jpg") && html.contains("not an image"));
        assertTrue(html.contains("<tr><th>evaluate</th><td>1.5 s</td></tr>"));
    }

    /** A stand-in for the activation-map overlay: a red square the size of the model's input. */
    static BufferedImage redSquare(Path image) {
        BufferedImage red = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                red.setRGB(x, y, 0xFF0000);
            }
        }
        return red;
    }

    @Test
    void theGalleryShowsEachMistakesActivationMapWhenTheModelHasOne() throws Exception {
        String html = Files.readString(evaluationReportWithMistakes(tmp, RunReportTest::redSquare));
        String gallery = html.substring(html.indexOf("<section id=\"top-losses\">"), html.indexOf("<section id=\"skipped\">"));
        assertEquals(4, gallery.split("class=\"thumb cam\"").length - 1, "a map beside each of the four mistakes");
        assertTrue(gallery.contains("where the model looked for bees"), gallery);
    }

    /** The gallery shows any image training read, WebP and GIF included (the JDK alone reads no WebP). */
    @Test
    void thumbnailsCoverEveryFormatTrainingReads() throws Exception {
        BufferedImage photo = new BufferedImage(40, 20, BufferedImage.TYPE_INT_RGB);
        Path gif = tmp.resolve("a.gif");
        ImageIO.write(photo, "gif", gif.toFile());
        Path webp = tmp.resolve("a.webp");
        try (Mat image = new Mat(20, 40, CV_8UC3, new Scalar(255, 0, 0, 0)); BytePointer encoded = new BytePointer()) {
            assertTrue(imencode(".webp", image, encoded));
            byte[] bytes = new byte[(int) encoded.limit()];
            encoded.get(bytes);
            Files.write(webp, bytes);
        }
        for (Path file : List.of(gif, webp)) {
            byte[] jpeg = RunReport.thumbnail(file);
            assertNotNull(jpeg, file.toString());
            BufferedImage thumbnail = ImageIO.read(new ByteArrayInputStream(jpeg));
            assertEquals(160, thumbnail.getWidth(), file.toString());
            assertEquals(80, thumbnail.getHeight(), file.toString());
        }
    }
}
