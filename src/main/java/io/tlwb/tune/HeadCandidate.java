package io.tlwb.tune;

import io.tlwb.model.HeadConfig;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One point of the search space: a head and how to train it. Serializable, as Arbiter requires of candidate values.
 *
 * @param head      the head's configuration, as {@code train} takes it
 * @param batchSize minibatch size on the cached features
 * @param epochs    passes over the training features
 * @param cutLayer  the base layer the head reads (its features are cached per cut layer)
 */
public record HeadCandidate(HeadConfig head, int batchSize, int epochs, String cutLayer) implements Serializable {

    public HeadCandidate {
        if (head == null || cutLayer == null) {
            throw new IllegalArgumentException("a candidate needs a head and a cut layer");
        }
        if (batchSize < 1 || epochs < 1) {
            throw new IllegalArgumentException("batch size and epochs must be >= 1, got " + batchSize + " and " + epochs);
        }
    }

    /** The candidate as written to {@code candidates.json}, with the keys of a search-space file. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("learningRate", head.learningRate());
        m.put("dropout", head.dropout());
        m.put("hiddenUnits", head.hiddenUnits());
        m.put("l2", head.l2());
        m.put("batchSize", batchSize);
        m.put("updater", head.updater().name().toLowerCase(Locale.ROOT));
        m.put("epochs", epochs);
        m.put("cutLayer", cutLayer);
        m.put("standardize", head.standardize());
        return m;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s; batch %d, %d epochs, cut %s", head, batchSize, epochs, cutLayer);
    }
}
