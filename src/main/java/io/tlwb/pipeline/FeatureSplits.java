package io.tlwb.pipeline;

import io.tlwb.WorkbenchException;
import io.tlwb.features.FeatureSet;
import io.tlwb.features.TrainingRows;

/**
 * Both splits' features at one layer and what computed them (the engine, or the DL4J graph it fell back to).
 *
 * @param train      the training images' views (the augmentation's): in memory, or streamed from a feature store
 *                   when they would not fit
 * @param validation the validation images' views (with the mirror under flip test-time augmentation)
 */
public record FeatureSplits(TrainingRows train, FeatureSet validation, String engine) {

    /**
     * The training features in memory, for what needs them all at once (a search's many heads, fine-tuning).
     *
     * @throws WorkbenchException naming {@code purpose} when they are streamed
     */
    public FeatureSet trainInMemory(String purpose) {
        if (train instanceof FeatureSet inMemory) {
            return inMemory;
        }
        throw new WorkbenchException(purpose + " needs the training features in memory, and these are streamed from "
                + "the feature store (" + train.size() + " images, too many to hold here)");
    }
}
