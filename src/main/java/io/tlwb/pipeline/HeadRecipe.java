package io.tlwb.pipeline;

import io.tlwb.model.HeadConfig;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A head and how to train it: what {@code train} runs once and each search candidate describes. Serializable, as
 * Arbiter requires of candidate values. Validated on construction.
 *
 * @param head      the head's configuration
 * @param batchSize minibatch size on the cached features
 * @param epochs    passes over the training features
 * @param cutLayer  the base layer the head reads (its features are cached per cut layer), or null for the base's
 *                  default cut
 */
public record HeadRecipe(HeadConfig head, int batchSize, int epochs, String cutLayer) implements Serializable {

    public HeadRecipe {
        if (head == null) {
            throw new IllegalArgumentException("a head recipe needs a head configuration");
        }
        if (epochs < 1 || epochs > 10_000) {
            throw new IllegalArgumentException("--epochs must be between 1 and 10000, got " + epochs);
        }
        if (batchSize < 1 || batchSize > 4096) {
            throw new IllegalArgumentException("--batch-size must be between 1 and 4096, got " + batchSize);
        }
    }

    /** This recipe cut at {@code layer}. */
    public HeadRecipe withCutLayer(String layer) {
        return new HeadRecipe(head, batchSize, epochs, layer);
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
