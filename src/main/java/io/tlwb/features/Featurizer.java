package io.tlwb.features;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The frozen part of a transfer model: preprocessed NHWC images in, one row per image out: pooled bottleneck features,
 * or the cut layer's activation maps flattened ({@link Pooling}).
 */
public interface Featurizer {

    /** Rows {@code [batch, featureSize()]} of a preprocessed NHWC batch {@code [batch, h, w, 3]}. */
    INDArray featurize(INDArray images);

    /**
     * This featurizer's rows and {@code other}'s for the same batch, in that order. The engine runs the base once for
     * both when {@code other} reads the maps of a layer on the way to this one's cut (fine-tuning's maps beside the
     * head's pooled features); otherwise each runs on its own.
     */
    default INDArray[] featurizeWith(Featurizer other, INDArray images) {
        return new INDArray[]{featurize(images), other.featurize(images)};
    }

    /**
     * The shape of one row before flattening: {@code [channels]} for pooled features, {@code [h, w, channels]} for
     * activation maps.
     */
    long[] rowShape();

    /** Values per row: the product of {@link #rowShape()}. */
    default int featureSize() {
        return Math.toIntExact(Arrays.stream(rowShape()).reduce(1, (a, b) -> a * b));
    }

    /**
     * What produced these features, as stable text: weights sha256, cut layer, image size, preprocessing, pooling.
     * Two featurizers with the same key must give the same features; the feature cache is keyed by it.
     */
    String cacheKey();

    /** What runs the frozen base, as recorded in run configs and model cards (e.g. "oneDNN 2.5.2 plan"). */
    default String engine() {
        return GRAPH_ENGINE;
    }

    /** The engine name of the fallback: DL4J's own forward pass of the imported graph. */
    String GRAPH_ENGINE = "DL4J graph";

    /**
     * The batch size this featurizer runs fastest at, or 0 for no preference (callers then use their own). The fast
     * path prefers small batches whose activations stay in cache.
     */
    default int preferredBatchSize() {
        return 0;
    }
}
