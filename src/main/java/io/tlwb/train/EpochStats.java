package io.tlwb.train;

/** One epoch of head training: the training loss (mean over its minibatches) and the validation figures after it. */
public record EpochStats(int epoch, double trainLoss, double validationLoss, double validationAccuracy,
                         double seconds) {
}
