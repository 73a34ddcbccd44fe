package io.tlwb.pipeline;

import io.tlwb.features.FeatureSet;

/**
 * Both splits' features at one layer and what computed them (the engine, or the DL4J graph it fell back to).
 *
 * @param train      the training images' views (the augmentation's)
 * @param validation the validation images' views (with the mirror under flip test-time augmentation)
 */
public record FeatureSplits(FeatureSet train, FeatureSet validation, String engine) {
}
