package io.tlwb.pipeline;

import io.tlwb.WorkbenchException;
import io.tlwb.data.ImageDataset;
import io.tlwb.data.ImageFolders;
import io.tlwb.features.Pooling;
import io.tlwb.pretrained.PretrainedModel;

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
     * As {@link #featurize(PretrainedModel, FeatureSpec, String, Pooling, ImageDataset)}, and while each image is
     * decoded anyway, also caching the activation maps at {@code alsoMapsAt} that fine-tuning reads next (so that pass
     * decodes nothing again). A store that cannot ignores it: the maps are then computed when asked for.
     */
    default FeatureSplits featurize(PretrainedModel base, FeatureSpec spec, String layer, Pooling pooling,
                                    ImageDataset data, String alsoMapsAt) {
        return featurize(base, spec, layer, pooling, data);
    }

    /**
     * The images {@code spec} names, scanned, checked and split: a folder or manifest here; the images this store
     * holds rows for, with the classes and splits they were featurized with; or a folder on a Hadoop filesystem, which
     * only a cluster's store reads.
     *
     * @throws WorkbenchException when this store cannot read what {@code spec} names
     */
    default ImageDataset open(DataSpec spec) {
        return switch (spec.source()) {
            case FOLDER -> ImageFolders.open(spec.folder(), spec.validationSplit(), spec.seed());
            case FEATURE_STORE -> throw new WorkbenchException("--features " + spec.location() + " lists its images "
                    + "only on a cluster: add --spark MASTER, or give --data DIR");
            case HADOOP_FILESYSTEM -> throw new WorkbenchException("--data " + spec.location() + ": a Hadoop "
                    + "filesystem's images are read by a cluster's executors: add --spark MASTER (the Spark build), or "
                    + "copy the folder to this machine");
        };
    }

    /**
     * Whether this store will stream {@code data}'s training features to the head epoch by epoch rather than hold
     * them (they would not fit), which rules out what needs them all at once: fine-tuning and early stopping.
     *
     * @param featureSize features a view at the cut layer
     */
    default boolean streamsTraining(ImageDataset data, FeatureSpec spec, int featureSize) {
        return false;
    }

    /** Releases what the store holds (a cluster connection); the local store holds nothing. */
    @Override
    default void close() {
    }
}
