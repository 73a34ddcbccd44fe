package io.tlwb.features;

import io.tlwb.model.FeatureStatistics;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/**
 * The training split's features as a head fits them: seeded minibatches, epoch after epoch, one view per image, and
 * the statistics that fix the head's standardization. A {@link FeatureSet} holds them in memory; a cluster's feature
 * store can stream them instead when they would not fit.
 */
public interface TrainingRows {

    /** Images (one row each, whatever their views). */
    int size();

    int featureSize();

    int numClasses();

    /** The per-feature statistics of the images as they are (no augmented view). */
    FeatureStatistics statistics();

    /**
     * Minibatches of {@code batchSize} rows; each {@link DataSetIterator#reset()} starts a new epoch with a new order
     * and a new draw of views, both from {@code seed}, so a run replays exactly.
     */
    MinibatchIterator batches(int batchSize, long seed);
}
