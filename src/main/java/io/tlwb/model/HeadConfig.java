package io.tlwb.model;

import java.io.Serializable;
import java.util.Locale;

/**
 * The classifier stacked on the pooled bottleneck:
 * {@code [standardize] → dropout → [dense(hiddenUnits, relu) → dropout] → softmax}.
 *
 * @param standardize  scale each pooled feature to zero mean and unit variance over the training images, with a
 *                     fixed per-feature layer inside the model (so saved models need no separate normalizer)
 * @param hiddenUnits  width of the optional hidden layer; 0 gives the tutorial's linear head
 * @param dropout      fraction of inputs dropped during training (Keras semantics, not DL4J's retain probability)
 * @param l2           L2 penalty on the head's weights
 * @param updater      the optimizer
 * @param learningRate its learning rate
 */
public record HeadConfig(boolean standardize, int hiddenUnits, double dropout, double l2, Updater updater, double learningRate)
        implements Serializable {

    /** The Keras tutorial's head: dropout 0.2 and a linear classifier trained with Adam at 1e-4. */
    public static final HeadConfig TUTORIAL = new HeadConfig(false, 0, 0.2, 0.0, Updater.ADAM, 1e-4);


    public HeadConfig {
        if (hiddenUnits < 0) {
            throw new IllegalArgumentException("hidden units must be >= 0 (0 = linear head), got " + hiddenUnits);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
        }
        if (!(l2 >= 0)) {
            throw new IllegalArgumentException("l2 must be >= 0, got " + l2);
        }
        if (!(learningRate > 0 && learningRate < 10)) {
            throw new IllegalArgumentException("learning rate must be in (0, 10), got " + learningRate);
        }
        if (updater == null) {
            throw new IllegalArgumentException("an updater is required");
        }
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s%s head, dropout %.2f, l2 %.1e, %s lr %.1e",
                standardize ? "standardized, " : "", hiddenUnits == 0 ? "linear" : hiddenUnits + "-unit", dropout, l2,
                updater.name().toLowerCase(Locale.ROOT), learningRate);
    }
}
