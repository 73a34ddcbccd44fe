package io.tlwb.eval;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An immutable evaluation of a classifier on one labelled set: the numbers a user compares between the untrained
 * baseline and the trained model, and what a report needs to show where it fails.
 *
 * @param rocAuc   area under the ROC curve of the second class, for two-class problems; {@code NaN} otherwise
 * @param rocCurve false/true positive rates of that curve, empty for more than two classes
 */
public record EvaluationResult(List<String> classes, double accuracy, double loss, List<ClassMetrics> perClass,
                               int[][] confusion, double rocAuc, RocPoints rocCurve, List<Prediction> predictions) {

    /** The ROC curve as parallel arrays of false positive and true positive rates. */
    public record RocPoints(double[] falsePositiveRate, double[] truePositiveRate) {
        static final RocPoints NONE = new RocPoints(new double[0], new double[0]);
    }

    public int count() {
        return predictions.size();
    }

    /** Accuracy of always predicting the most frequent class: the floor any trained head must beat. */
    public double majorityClassAccuracy() {
        int max = perClass.stream().mapToInt(ClassMetrics::support).max().orElse(0);
        return count() == 0 ? 0 : (double) max / count();
    }

    /** The {@code n} wrong predictions the model was most sure of (fastai's "top losses"). */
    public List<Prediction> mostConfidentMistakes(int n) {
        return predictions.stream()
                .filter(p -> !p.correct())
                .sorted(Comparator.comparingDouble(Prediction::loss).reversed())
                .limit(n)
                .toList();
    }

    /** Accuracy and loss only, for compact before/after comparisons. */
    public Map<String, Object> summary() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("accuracy", accuracy);
        m.put("loss", loss);
        m.put("count", count());
        return m;
    }

    /** Everything but the per-image predictions, as plain maps and lists for JSON. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = summary();
        List<Map<String, Object>> classRows = new ArrayList<>();
        for (ClassMetrics c : perClass) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("class", c.className());
            row.put("precision", c.precision());
            row.put("recall", c.recall());
            row.put("f1", c.f1());
            row.put("support", c.support());
            classRows.add(row);
        }
        m.put("perClass", classRows);
        m.put("confusion", confusion);
        if (!Double.isNaN(rocAuc)) {
            m.put("rocAuc", rocAuc);
        }
        return m;
    }

    /** A plain-text rendering for the terminal: headline, per-class table, confusion matrix. */
    public String toText() {
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "accuracy %.4f  loss %.4f  (%d images; majority class %.4f)%n",
                accuracy, loss, count(), majorityClassAccuracy()));
        if (!Double.isNaN(rocAuc)) {
            s.append(String.format(Locale.ROOT, "ROC AUC (%s) %.4f%n", classes.get(1), rocAuc));
        }
        int width = Math.max(8, classes.stream().mapToInt(String::length).max().orElse(8));
        s.append(String.format(Locale.ROOT, "%-" + width + "s  precision  recall     f1  support%n", "class"));
        for (ClassMetrics c : perClass) {
            s.append(String.format(Locale.ROOT, "%-" + width + "s  %9.4f  %6.4f  %6.4f  %7d%n",
                    c.className(), c.precision(), c.recall(), c.f1(), c.support()));
        }
        s.append("confusion (rows = true, columns = predicted)").append(System.lineSeparator());
        s.append(String.format(Locale.ROOT, "%-" + width + "s", ""));
        for (String c : classes) {
            s.append(String.format(Locale.ROOT, " %" + width + "s", c));
        }
        s.append(System.lineSeparator());
        for (int i = 0; i < classes.size(); i++) {
            s.append(String.format(Locale.ROOT, "%-" + width + "s", classes.get(i)));
            for (int j = 0; j < classes.size(); j++) {
                s.append(String.format(Locale.ROOT, " %" + width + "d", confusion[i][j]));
            }
            s.append(System.lineSeparator());
        }
        return s.toString();
    }
}
