package io.tlwb.pipeline;

import io.tlwb.data.ImageDataset;
import io.tlwb.features.Pooling;
import io.tlwb.pretrained.PretrainedModel;
import java.util.Optional;

/**
 * Where the pipeline gets features from: the frozen base's output for both splits of a dataset at one layer. The
 * local store ({@link LocalFeatureStore}) runs the engine on this machine and caches on disk; a cluster store plugs
 * in here without the jobs noticing.
 */
public interface FeatureStore extends AutoCloseable {

    /**
     * Both splits' features of {@code data} through {@code base} up to {@code layer}: the training augmentation's views
     * and the validation views test-time augmentation needs ({@link FeatureSpec}).
     */
    FeatureSplits featurize(PretrainedModel base, FeatureSpec spec, String layer, Pooling pooling, ImageDataset data);

    /**
     * The images this store holds features of, with their classes and splits as they were featurized, for training
     * without the images; empty when the store cannot list them (the local cache is keyed by content alone).
     */
    default Optional<ImageDataset> storedDataset() {
        return Optional.empty();
    }

    /** Releases what the store holds (a cluster connection); the local store holds nothing. */
    @Override
    default void close() {
    }
}
