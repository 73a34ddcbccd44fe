package io.tlwb.train;

/**
 * One epoch of training: the training loss (mean over its minibatches) and the validation figures after it.
 *
 * @param fineTuning whether the epoch belongs to the fine-tuning stage rather than head training
 */
public record EpochStats(int epoch, double trainLoss, double validationLoss, double validationAccuracy,
                         double seconds, boolean fineTuning) {
}
