package io.tlwb.report;

import io.tlwb.AtomicFiles;
import io.tlwb.RunFolder;
import io.tlwb.data.ContactSheet;
import io.tlwb.data.ImageDataset;
import io.tlwb.data.SkippedFile;
import io.tlwb.eval.ClassMetrics;
import io.tlwb.eval.EvaluationResult;
import io.tlwb.eval.Prediction;
import io.tlwb.model.ModelCard;
import io.tlwb.pipeline.TrainingResult;
import io.tlwb.train.EarlyStopping;
import io.tlwb.train.EpochStats;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * {@code runs/<id>/report.html}: one self-contained page (charts and thumbnails inlined) that says how good a model
 * is and where it fails. Training reports have learning curves against the untrained baseline; both kinds have the
 * evaluation (headline, confusion matrix, per-class precision/recall/F1, ROC for two classes, the most confidently
 * wrong images), the skipped files, configuration, weight source, provenance and timings.
 */
public final class RunReport {

    public static final String FILE_NAME = "report.html";
    /** How many of the most confidently wrong validation images the gallery shows. */
    public static final int GALLERY_SIZE = 12;
    private static final int THUMBNAIL = 160;

    private RunReport() {
    }

    /**
     * What draws an image's class activation map (the image as the model saw it, the predicted class's map over
     * it), or returns null when it cannot.
     */
    @FunctionalInterface
    public interface Explainer {
        BufferedImage overlay(Path image);
    }

    /** Writes the report of a finished training run into its run folder and returns the file. */
    public static Path write(TrainingResult result) {
        return write(result, image -> null);
    }

    /** As {@link #write(TrainingResult)}, the gallery of confident mistakes showing each one's activation map. */
    public static Path write(TrainingResult result, Explainer explainer) {
        ModelCard card = result.model().card();
        String title = "Training report - " + result.run().id();
        Page page = new Page(title, result.dataset(), card, explainer);
        EvaluationResult before = result.outcome().before();
        EvaluationResult after = result.outcome().after();
        page.headline(after, before, result.modelFile());
        page.learningCurves(result.outcome().history(), before, after.majorityClassAccuracy(),
                result.outcome().earlyStopping());
        page.evaluation(after);
        page.details(card, result.modelFile(), result.dataset().skipped(), result.secondsByStep());
        return save(result.run(), page);
    }

    /**
     * Writes the report of evaluating a saved model on a dataset (from {@code evaluate}): the same evaluation,
     * skipped-file, configuration, weight and timing sections, without learning curves.
     *
     * @param data          the evaluated images (for relative names and the skipped-file list)
     * @param secondsByStep timings to show, in order (may be empty)
     */
    public static Path writeEvaluation(RunFolder run, ModelCard card, Path modelFile, ImageDataset data,
                                       EvaluationResult evaluation, Map<String, Double> secondsByStep,
                                       Explainer explainer) {
        Page page = new Page("Evaluation report - " + run.id(), data, card, explainer);
        page.headline(evaluation, null, modelFile);
        page.evaluation(evaluation);
        page.details(card, modelFile, data.skipped(), secondsByStep);
        return save(run, page);
    }

    private static Path save(RunFolder run, Page page) {
        Path file = run.file(FILE_NAME);
        try {
            AtomicFiles.writeString(file, page.finish());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report " + file, e);
        }
        return file;
    }

    /** The HTML being built; every value from outside (file, class and layer names) goes through {@link #esc}. */
    private static final class Page {
        private final StringBuilder html = new StringBuilder();
        private final ImageDataset data;
        private final ModelCard card;
        private final Explainer explainer;

        Page(String title, ImageDataset data, ModelCard card, Explainer explainer) {
            this.data = data;
            this.card = card;
            this.explainer = explainer;
            html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
                    .append(esc(title)).append("</title>\n<style>\n").append(CSS).append("</style>\n</head>\n<body>\n")
                    .append("<h1>").append(esc(title)).append("</h1>\n");
        }

        void headline(EvaluationResult after, EvaluationResult before, Path modelFile) {
            html.append("<section id=\"summary\"><h2>Summary</h2>\n<p class=\"headline\">Validation accuracy <b>")
                    .append(pct(after.accuracy())).append("</b>, loss <b>").append(num(after.loss()))
                    .append("</b> on ").append(after.count()).append(" images");
            if (before != null) {
                html.append("; the untrained head had ").append(pct(before.accuracy())).append(" (loss ")
                        .append(num(before.loss())).append(")");
            }
            html.append("; always guessing the majority class gives ").append(pct(after.majorityClassAccuracy()))
                    .append(".</p>\n<table class=\"kv\">\n");
            row("data", data.root().toAbsolutePath().normalize().toString());
            row("classes", String.join(", ", after.classes()));
            row("model file", modelFile == null ? "" : modelFile.toAbsolutePath().normalize().toString());
            html.append("</table></section>\n");
        }

        /** @param stopped how early stopping ended, or null without it */
        void learningCurves(List<EpochStats> history, EvaluationResult untrained, double majority,
                            EarlyStopping.Result stopped) {
            html.append("<section id=\"learning-curves\"><h2>Learning curves</h2>\n")
                    .append("<p>Epoch 0 is the untrained head on the validation split (the baseline).</p>\n");
            if (stopped != null) {
                html.append("<p class=\"stopped\">Early stopping kept epoch <b>").append(stopped.bestEpoch())
                        .append("</b> of ").append(stopped.epochsRun()).append(" (held-out loss ")
                        .append(num(stopped.bestHeldOutLoss())).append("), marked in the table.</p>\n");
            }
            html.append("<div class=\"charts\">");
            image("loss chart", Charts.loss(history, untrained), "chart");
            image("accuracy chart", Charts.accuracy(history, untrained, majority), "chart");
            html.append("</div>\n<table class=\"numbers\"><tr><th>epoch</th><th>training loss</th>")
                    .append("<th>validation loss</th><th>validation accuracy</th><th>seconds</th></tr>\n")
                    .append("<tr class=\"baseline\"><td>0 (untrained)</td><td></td><td>").append(num(untrained.loss()))
                    .append("</td><td>").append(num(untrained.accuracy())).append("</td><td></td></tr>\n");
            for (EpochStats e : history) {
                boolean kept = stopped != null && !e.fineTuning() && e.epoch() == stopped.bestEpoch();
                html.append(kept ? "<tr class=\"kept\"><td>" : "<tr><td>").append(e.epoch())
                        .append(kept ? " (kept)" : "").append(e.fineTuning() ? " (fine-tuning)" : "")
                        .append("</td><td>").append(num(e.trainLoss()))
                        .append("</td><td>").append(num(e.validationLoss())).append("</td><td>")
                        .append(num(e.validationAccuracy())).append("</td><td>")
                        .append(String.format(Locale.ROOT, "%.1f", e.seconds())).append("</td></tr>\n");
            }
            html.append("</table></section>\n");
        }

        void evaluation(EvaluationResult ev) {
            confusion(ev);
            perClass(ev);
            if (!Double.isNaN(ev.rocAuc()) && ev.rocCurve().falsePositiveRate().length > 0) {
                html.append("<section id=\"roc\"><h2>ROC curve</h2>\n");
                image("ROC curve", Charts.roc(ev), "chart");
                html.append("</section>\n");
            }
            gallery(ev);
        }

        private void confusion(EvaluationResult ev) {
            int[][] m = ev.confusion();
            html.append("<section id=\"confusion\"><h2>Confusion matrix</h2>\n<p>Rows are the true class, columns ")
                    .append("the predicted one; shading is the share of the row.</p>\n<table class=\"confusion\">")
                    .append("<tr><th>true \\ predicted</th>");
            for (String c : ev.classes()) {
                html.append("<th>").append(esc(c)).append("</th>");
            }
            html.append("</tr>\n");
            for (int i = 0; i < m.length; i++) {
                int rowSum = 0;
                for (int v : m[i]) {
                    rowSum += v;
                }
                html.append("<tr><th>").append(esc(ev.classes().get(i))).append("</th>");
                for (int j = 0; j < m[i].length; j++) {
                    double share = rowSum == 0 ? 0 : (double) m[i][j] / rowSum;
                    String hue = i == j ? "34,139,34" : "200,40,40";
                    html.append(String.format(Locale.ROOT, "<td style=\"background:rgba(%s,%.2f)\">%d</td>", hue,
                            0.08 + 0.72 * share, m[i][j]));
                }
                html.append("</tr>\n");
            }
            html.append("</table></section>\n");
        }

        private void perClass(EvaluationResult ev) {
            html.append("<section id=\"per-class\"><h2>Per-class precision, recall and F1</h2>\n<table class=\"numbers\">")
                    .append("<tr><th>class</th><th>precision</th><th>recall</th><th>F1</th><th>support</th></tr>\n");
            for (ClassMetrics c : ev.perClass()) {
                html.append("<tr><td>").append(esc(c.className())).append("</td><td>").append(num(c.precision()))
                        .append("</td><td>").append(num(c.recall())).append("</td><td>").append(num(c.f1()))
                        .append("</td><td>").append(c.support()).append("</td></tr>\n");
            }
            html.append("</table></section>\n");
        }

        private void gallery(EvaluationResult ev) {
            List<Prediction> worst = ev.mostConfidentMistakes(GALLERY_SIZE);
            html.append("<section id=\"top-losses\"><h2>Most confidently wrong</h2>\n");
            if (worst.isEmpty()) {
                html.append("<p>No validation image was misclassified.</p></section>\n");
                return;
            }
            html.append("<p>The ").append(worst.size()).append(" misclassified validation images with the highest ")
                    .append("loss (fastai's \"top losses\"), worst first; for a linear head, beside each, where the model ")
                    .append("looked for the class it predicted (class activation map, red where it weighed most).</p>\n")
                    .append("<div class=\"gallery\">\n");
            for (Prediction p : worst) {
                String name = data.relative(Path.of(p.source()));
                int predicted = p.predictedLabel();
                html.append("<figure>");
                byte[] thumb = thumbnail(Path.of(p.source()));
                if (thumb != null) {
                    image(name, thumb, "thumb");
                } else {
                    html.append("<div class=\"nothumb\">(cannot show)</div>");
                }
                byte[] map = activationMap(Path.of(p.source()));
                if (map != null) {
                    image(name + ": where the model looked for " + ev.classes().get(predicted), map, "thumb cam");
                }
                html.append("<figcaption><span class=\"file\">").append(esc(name)).append("</span><br>true <b>")
                        .append(esc(ev.classes().get(p.trueLabel()))).append("</b>, predicted <b>")
                        .append(esc(ev.classes().get(predicted))).append("</b> ")
                        .append(pct(p.probabilities()[predicted])).append("<br>loss ").append(num(p.loss()))
                        .append("</figcaption></figure>\n");
            }
            html.append("</div></section>\n");
        }

        void details(ModelCard card, Path modelFile, List<SkippedFile> skipped, Map<String, Double> seconds) {
            html.append("<section id=\"skipped\"><h2>Skipped files</h2>\n");
            if (skipped.isEmpty()) {
                html.append("<p>None: every file found was used.</p>");
            } else {
                html.append("<p>").append(skipped.size()).append(" file").append(skipped.size() == 1 ? " was" : "s were")
                        .append(" left out.</p>\n<table class=\"kv\">");
                for (SkippedFile s : skipped) {
                    row(data.relative(s.file()), s.reason());
                }
                html.append("</table>");
            }
            html.append("</section>\n<section id=\"configuration\"><h2>Configuration</h2>\n<table class=\"kv\">\n");
            card.training().forEach((k, v) -> row(k, String.valueOf(v)));
            if (!card.training().containsKey("head")) {
                row("head", String.valueOf(card.head()));
            }
            html.append("</table></section>\n<section id=\"weights\"><h2>Weight source</h2>\n<table class=\"kv\">\n");
            row("weights", card.weightsSpec());
            row("weights sha256", card.weightsSha256());
            row("preprocessing", card.preprocessing());
            row("image size", card.imageSize() + " px");
            row("cut layer", card.cutLayer());
            row("trained layers", String.join(", ", card.trainedLayers()));
            row("dataset fingerprint", card.datasetFingerprint());
            html.append("</table></section>\n<section id=\"timings\"><h2>Timings</h2>\n<table class=\"kv\">\n");
            seconds.forEach((step, s) -> row(step, String.format(Locale.ROOT, "%.1f s", s)));
            html.append("</table></section>\n<section id=\"provenance\"><h2>Provenance</h2>\n<table class=\"kv\">\n");
            card.provenance().entrySet().stream().sorted(Map.Entry.comparingByKey())
                    .forEach(e -> row(e.getKey(), e.getValue()));
            html.append("</table></section>\n");
        }

        String finish() {
            // Lets a test (or a curious reader's console) see that every inlined image decoded.
            html.append("<script>window.addEventListener('load', function () {\n")
                    .append("  var all = Array.prototype.slice.call(document.images);\n")
                    .append("  var ok = all.filter(function (i) { return i.complete && i.naturalWidth > 0; });\n")
                    .append("  document.body.setAttribute('data-images-loaded', ok.length + '/' + all.length);\n")
                    .append("});</script>\n</body>\n</html>\n");
            return html.toString();
        }

        private void row(String key, String value) {
            html.append("<tr><th>").append(esc(key)).append("</th><td>").append(esc(value)).append("</td></tr>\n");
        }

        /** The explainer's overlay of {@code file} as a PNG, or null when there is none. */
        private byte[] activationMap(Path file) {
            try {
                BufferedImage overlay = explainer.overlay(file);
                if (overlay == null) {
                    return null;
                }
                ByteArrayOutputStream png = new ByteArrayOutputStream();
                ImageIO.write(overlay, "png", png);
                return png.toByteArray();
            } catch (IOException | RuntimeException e) {
                return null; // the gallery still shows the photo
            }
        }

        private void image(String alt, byte[] bytes, String cssClass) {
            String type = bytes.length > 1 && (bytes[0] & 0xff) == 0xff ? "jpeg" : "png";
            html.append("<img class=\"").append(cssClass).append("\" alt=\"").append(esc(alt))
                    .append("\" src=\"data:image/").append(type).append(";base64,")
                    .append(Base64.getEncoder().encodeToString(bytes)).append("\">");
        }
    }

    /**
     * A JPEG {@value #THUMBNAIL} px on its longer side (small images enlarged so they can be seen), decoded as training
     * decoded it, or null when the file cannot be decoded any more.
     */
    static byte[] thumbnail(Path file) {
        BufferedImage small = ContactSheet.thumbnail(file, THUMBNAIL);
        if (small == null) {
            return null;
        }
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(small, "jpeg", out);
            return out.toByteArray();
        } catch (IOException unwritable) {
            return null;
        }
    }

    /** Escapes text for HTML element content and double-quoted attributes. */
    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.4f", v);
    }

    private static String pct(double v) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * v);
    }

    private static final String CSS = """
            body { font-family: system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; margin: 2em auto;
                   max-width: 1340px; padding: 0 1em; color: #222; }
            h1 { font-size: 1.6em; } h2 { font-size: 1.25em; border-bottom: 1px solid #ddd; padding-bottom: .2em; }
            .headline { font-size: 1.1em; }
            table { border-collapse: collapse; margin: .5em 0; }
            th, td { border: 1px solid #ddd; padding: .25em .6em; text-align: left; vertical-align: top; }
            table.numbers td, table.confusion td { text-align: right; font-variant-numeric: tabular-nums; }
            table.confusion td { min-width: 4em; font-weight: bold; }
            table.kv th { font-weight: normal; color: #555; } table.kv td { font-family: monospace; word-break: break-all; }
            tr.baseline td { color: #666; font-style: italic; }
            tr.kept td { font-weight: bold; background: #eef3fd; }
            .charts { display: flex; flex-wrap: wrap; gap: 1em; }
            img.chart { width: 640px; max-width: 100%; border: 1px solid #eee; }
            .gallery { display: flex; flex-wrap: wrap; gap: 1em; }
            figure { margin: 0; width: 180px; } figcaption { font-size: .85em; }
            img.thumb { max-width: 160px; max-height: 160px; display: block; border: 3px solid #c83232; }
            .file { font-family: monospace; word-break: break-all; }
            .nothumb { width: 160px; height: 100px; background: #eee; color: #777; display: flex;
                       align-items: center; justify-content: center; }
            """;
}
