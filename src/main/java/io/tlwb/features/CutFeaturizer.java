package io.tlwb.features;

import io.tlwb.data.ImagePipeline;
import io.tlwb.model.GraphSurgery;
import io.tlwb.pretrained.PretrainedModel;

/**
 * What every featurizer of a base cut at a layer shares, whatever runs it: the shape of a row and the cache key, so
 * features from the engine and from the DL4J graph (equal to float rounding) share one cache entry.
 */
abstract class CutFeaturizer implements Featurizer {

    final Pooling pooling;
    private final long[] rowShape;
    private final String cacheKey;

    CutFeaturizer(PretrainedModel base, String cutLayer, int imageSize, Pooling pooling) {
        this.pooling = pooling;
        this.rowShape = pooling == Pooling.AVERAGE ? new long[]{GraphSurgery.channelsAt(base, cutLayer)}
                : GraphSurgery.activationShape(base, cutLayer, imageSize);
        this.cacheKey = cacheKey(base, cutLayer, imageSize, pooling);
    }

    /** The cache key of features of {@code base} cut at {@code cutLayer}, whatever computes them. */
    static String cacheKey(PretrainedModel base, String cutLayer, int imageSize, Pooling pooling) {
        return String.join("|", "weights=" + base.sha256(), "cut=" + cutLayer, "size=" + imageSize,
                "preprocessing=" + base.preprocessing().name(), pooling.cacheKey(),
                "decoding=" + ImagePipeline.DECODING_VERSION);
    }

    @Override
    public long[] rowShape() {
        return rowShape.clone();
    }

    @Override
    public String cacheKey() {
        return cacheKey;
    }
}
