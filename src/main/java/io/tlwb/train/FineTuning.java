package io.tlwb.train;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The second stage of the Keras tutorial: once the head has converged, retrain the base's layers above
 * {@code frozenLayer} together with the head, at a lower learning rate, from cached activations of that layer.
 *
 * @param frozenLayer  the last layer left frozen, e.g. {@code block_10_project_BN} (the offline nsfwjs weights' blocks
 *                     up to 10 are unchanged ImageNet weights; the ones above were tuned on NSFW data)
 * @param epochs       epochs of the second stage
 * @param learningRate its learning rate, with the head's updater
 */
public record FineTuning(String frozenLayer, int epochs, double learningRate) {

    public FineTuning {
        if (frozenLayer == null || frozenLayer.isBlank()) {
            throw new IllegalArgumentException("--fine-tune-from needs a layer name, e.g. block_10_project_BN");
        }
        if (epochs < 1 || epochs > 10_000) {
            throw new IllegalArgumentException("--fine-tune-epochs must be between 1 and 10000, got " + epochs);
        }
        if (!(learningRate > 0 && learningRate < 1)) {
            throw new IllegalArgumentException("--fine-tune-lr must be between 0 and 1, got " + learningRate);
        }
    }

    /** As recorded in the run's configuration and the model card. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("frozenLayer", frozenLayer);
        m.put("epochs", epochs);
        m.put("learningRate", learningRate);
        return m;
    }
}
