package io.tlwb.tune;

import io.tlwb.model.HeadConfig;
import io.tlwb.model.Updater;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One point of the search space: a head and how to train it. Serializable (flat fields), as Arbiter requires of
 * candidate values.
 *
 * @param hiddenUnits  width of the head's hidden layer; 0 = linear head
 * @param dropout      fraction dropped (Keras semantics)
 * @param l2           L2 penalty on the head's weights
 * @param updater      the optimizer
 * @param learningRate its learning rate
 * @param batchSize    minibatch size on the cached features
 * @param epochs       passes over the training features
 * @param cutLayer     the base layer the head reads (its features are cached per cut layer)
 */
public record HeadCandidate(int hiddenUnits, double dropout, double l2, Updater updater, double learningRate,
                            int batchSize, int epochs, String cutLayer) implements Serializable {

    public HeadCandidate {
        head(hiddenUnits, dropout, l2, updater, learningRate); // validates
        if (cutLayer == null) {
            throw new IllegalArgumentException("a candidate needs a cut layer");
        }
        if (batchSize < 1 || epochs < 1) {
            throw new IllegalArgumentException("batch size and epochs must be >= 1, got " + batchSize + " and " + epochs);
        }
    }

    public HeadCandidate(HeadConfig head, int batchSize, int epochs, String cutLayer) {
        this(head.hiddenUnits(), head.dropout(), head.l2(), head.updater(), head.learningRate(), batchSize, epochs,
                cutLayer);
    }

    /** The head's configuration, as {@code train} takes it. */
    public HeadConfig head() {
        return head(hiddenUnits, dropout, l2, updater, learningRate);
    }

    private static HeadConfig head(int hiddenUnits, double dropout, double l2, Updater updater, double learningRate) {
        return new HeadConfig(hiddenUnits, dropout, l2, updater, learningRate);
    }

    /** The candidate as written to {@code candidates.json}, with the keys of a search-space file. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("learningRate", learningRate);
        m.put("dropout", dropout);
        m.put("hiddenUnits", hiddenUnits);
        m.put("l2", l2);
        m.put("batchSize", batchSize);
        m.put("updater", updater.name().toLowerCase(Locale.ROOT));
        m.put("epochs", epochs);
        m.put("cutLayer", cutLayer);
        return m;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s; batch %d, %d epochs, cut %s", head(), batchSize, epochs, cutLayer);
    }
}
