package io.tlwb.report;

import io.tlwb.eval.EvaluationResult;
import io.tlwb.train.EpochStats;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The report's charts, drawn with XChart as PNG bytes. */
final class Charts {

    static final int WIDTH = 640;
    static final int HEIGHT = 380;
    private static final Color TRAIN = new Color(0x1f77b4);
    private static final Color VALIDATION = new Color(0xff7f0e);
    private static final Color BASELINE = new Color(0x7f7f7f);

    private Charts() {
    }

    /** Training and validation loss per epoch; epoch 0 is the untrained head on the validation split. */
    static byte[] loss(List<EpochStats> history, EvaluationResult untrained) {
        XYChart chart = chart("Loss per epoch", "epoch", "cross-entropy loss");
        double[] epochs = history.stream().mapToDouble(EpochStats::epoch).toArray();
        line(chart, "training loss", epochs, history.stream().mapToDouble(EpochStats::trainLoss).toArray(), TRAIN);
        line(chart, "validation loss", prepend(0, epochs),
                prepend(untrained.loss(), history.stream().mapToDouble(EpochStats::validationLoss).toArray()),
                VALIDATION);
        point(chart, String.format(Locale.ROOT, "untrained head (%.3f)", untrained.loss()), 0, untrained.loss());
        fineTuningStart(chart, history, 0, Math.max(untrained.loss(), history.stream()
                .mapToDouble(e -> Math.max(e.trainLoss(), e.validationLoss())).max().orElse(1)));
        return png(chart);
    }

    /** Validation accuracy per epoch from the untrained head (epoch 0), against always guessing the majority class. */
    static byte[] accuracy(List<EpochStats> history, EvaluationResult untrained, double majorityClass) {
        XYChart chart = chart("Validation accuracy per epoch", "epoch", "accuracy");
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setYAxisMax(1.0);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
        double[] epochs = prepend(0, history.stream().mapToDouble(EpochStats::epoch).toArray());
        line(chart, "validation accuracy", epochs,
                prepend(untrained.accuracy(), history.stream().mapToDouble(EpochStats::validationAccuracy).toArray()),
                VALIDATION);
        point(chart, String.format(Locale.ROOT, "untrained head (%.3f)", untrained.accuracy()), 0,
                untrained.accuracy());
        XYSeries majority = chart.addSeries(String.format(Locale.ROOT, "majority class (%.3f)", majorityClass),
                new double[] {0, epochs[epochs.length - 1]}, new double[] {majorityClass, majorityClass});
        majority.setMarker(SeriesMarkers.NONE).setLineStyle(SeriesLines.DASH_DASH).setLineColor(BASELINE);
        fineTuningStart(chart, history, 0, 1);
        return png(chart);
    }

    /** The ROC curve of the second class, with the diagonal of a random guess. */
    static byte[] roc(EvaluationResult evaluation) {
        String positive = evaluation.classes().get(1);
        XYChart chart = chart(String.format(Locale.ROOT, "ROC curve (positive class: %s), AUC %.3f", positive,
                evaluation.rocAuc()), "false positive rate", "true positive rate");
        XYStyler style = chart.getStyler();
        style.setXAxisMin(0.0);
        style.setXAxisMax(1.0);
        style.setYAxisMin(0.0);
        style.setYAxisMax(1.0);
        style.setLegendPosition(Styler.LegendPosition.InsideSE);
        XYSeries guess = chart.addSeries("random guess", new double[] {0, 1}, new double[] {0, 1});
        guess.setMarker(SeriesMarkers.NONE).setLineStyle(SeriesLines.DASH_DASH).setLineColor(BASELINE);
        EvaluationResult.RocPoints curve = evaluation.rocCurve();
        line(chart, "model", curve.falsePositiveRate(), curve.truePositiveRate(), VALIDATION)
                .setMarker(SeriesMarkers.NONE);
        return png(chart);
    }

    /** A vertical line before the first fine-tuning epoch, as the Keras tutorial marks "Start Fine Tuning". */
    private static void fineTuningStart(XYChart chart, List<EpochStats> history, double yMin, double yMax) {
        history.stream().filter(EpochStats::fineTuning).findFirst().ifPresent(first -> {
            double x = first.epoch() - 0.5;
            chart.addSeries("start of fine-tuning", new double[] {x, x}, new double[] {yMin, yMax})
                    .setMarker(SeriesMarkers.NONE).setLineStyle(SeriesLines.DOT_DOT).setLineColor(Color.BLACK);
        });
    }

    private static XYChart chart(String title, String x, String y) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(x).yAxisTitle(y)
                .build();
        XYStyler style = chart.getStyler();
        style.setLegendPosition(Styler.LegendPosition.InsideNE);
        style.setChartBackgroundColor(Color.WHITE);
        style.setPlotBackgroundColor(Color.WHITE);
        style.setPlotGridLinesColor(new Color(0xe0e0e0));
        style.setAntiAlias(true);
        style.setDecimalPattern("#0.###");
        return chart;
    }

    private static XYSeries line(XYChart chart, String name, double[] x, double[] y, Color color) {
        XYSeries s = chart.addSeries(name, x, y);
        s.setMarker(SeriesMarkers.CIRCLE).setMarkerColor(color).setLineColor(color)
                .setLineStyle(new BasicStroke(2f));
        return s;
    }

    private static void point(XYChart chart, String name, double x, double y) {
        XYSeries s = chart.addSeries(name, new double[] {x}, new double[] {y});
        s.setMarker(SeriesMarkers.DIAMOND).setMarkerColor(Color.BLACK).setLineStyle(SeriesLines.NONE);
    }

    private static double[] prepend(double first, double[] rest) {
        double[] all = new double[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }

    private static byte[] png(XYChart chart) {
        try {
            return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot draw the chart '" + chart.getTitle() + "'", e);
        }
    }
}
