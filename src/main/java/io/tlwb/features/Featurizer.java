package io.tlwb.features;

import org.nd4j.linalg.api.ndarray.INDArray;

/** The frozen part of a transfer model: preprocessed NHWC images in, pooled bottleneck features out. */
public interface Featurizer {

    /** Pooled features {@code [batch, featureSize()]} of a preprocessed NHWC batch {@code [batch, h, w, 3]}. */
    INDArray featurize(INDArray images);

    int featureSize();

    /**
     * What produced these features, as stable text: weights sha256, cut layer, image size, preprocessing.
     * Two featurizers with the same key must give the same features; the feature cache is keyed by it.
     */
    String cacheKey();

    /**
     * The batch size this featurizer runs fastest at, or 0 for no preference (callers then use their own). The fast
     * path prefers small batches whose activations stay in cache.
     */
    default int preferredBatchSize() {
        return 0;
    }
}
