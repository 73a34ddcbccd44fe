package io.tlwb.model;

import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Each feature's mean and standard deviation (bias-corrected) over the rows a head trains on: what fixes the head's
 * standardization layer. Computed here from rows in memory, or by a cluster over rows it streams.
 *
 * @param mean {@code [featureSize]}
 * @param std  {@code [featureSize]}
 */
public record FeatureStatistics(INDArray mean, INDArray std) {

    public FeatureStatistics {
        Objects.requireNonNull(mean, "mean");
        Objects.requireNonNull(std, "std");
        if (mean.length() != std.length()) {
            throw new IllegalArgumentException("mean (" + mean.length() + ") and std (" + std.length()
                    + ") differ in length");
        }
    }

    /** The statistics of {@code rows}, {@code [n, featureSize]}. */
    public static FeatureStatistics of(INDArray rows) {
        return new FeatureStatistics(rows.mean(0), rows.std(0));
    }
}
