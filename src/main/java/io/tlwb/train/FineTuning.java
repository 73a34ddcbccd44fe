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

    /** The frozen layer of {@link #automatic()} fine-tuning, until the data decides it. */
    public static final String AUTO = "auto";

    /**
     * Automatic fine-tuning runs when the smallest class has at least this many training images. Measured with the
     * default offline weights at seeds 1, 2, 3 and 42: on hymenoptera (over 120 a class) fine-tuning from
     * block_12_add gave 0.879 mean accuracy against 0.866, with a lower loss at every seed; on the 96-photo demo set
     * (18 a class) it lost, 0.854 against 0.885 (docs/figures.md).
     */
    public static final int MIN_IMAGES_PER_CLASS = 100;

    /** Fine-tuning whose frozen layer and whether it runs at all are decided once the data is scanned. */
    public static FineTuning automatic(int epochs, double learningRate) {
        return new FineTuning(AUTO, epochs, learningRate);
    }

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

    /** Whether the frozen layer is still to be decided from the data ({@link #AUTO}). */
    public boolean isAutomatic() {
        return AUTO.equals(frozenLayer);
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
