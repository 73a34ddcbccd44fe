package io.tlwb.features;

import io.tlwb.engine.CannotCompile;
import io.tlwb.engine.FrozenBase;
import io.tlwb.pretrained.PretrainedModel;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Featurizes with the engine ({@link FrozenBase}: the frozen base compiled to a oneDNN plan). Its features equal the
 * imported graph's ({@link GraphFeaturizer}) to float rounding, so it shares that featurizer's cache key.
 */
public final class FastFeaturizer extends CutFeaturizer {

    /**
     * Measured with {@code bench} on 2 AVX-512 cores: the plan runs fastest per image around batch 8, where a
     * block's activations still fit in cache.
     */
    public static final int PREFERRED_BATCH = 8;

    private final FrozenBase engine;

    private FastFeaturizer(FrozenBase engine, PretrainedModel base, String cutLayer, int imageSize, Pooling pooling) {
        super(base, cutLayer, imageSize, pooling);
        this.engine = engine;
    }

    /**
     * Compiles {@code base} up to {@code cutLayer}, reading out pooled features.
     *
     * @throws CannotCompile naming the vertex when the graph holds something the engine cannot run exactly (use
     *                       {@link GraphFeaturizer} then)
     */
    public static FastFeaturizer compile(PretrainedModel base, String cutLayer, int imageSize) {
        return compile(base, cutLayer, imageSize, Pooling.AVERAGE);
    }

    static FastFeaturizer compile(PretrainedModel base, String cutLayer, int imageSize, Pooling pooling) {
        return new FastFeaturizer(FrozenBase.compile(base.graph(), cutLayer), base, cutLayer, imageSize, pooling);
    }

    @Override
    public INDArray featurize(INDArray images) {
        return pooling == Pooling.AVERAGE ? engine.pooled(images) : engine.maps(images);
    }

    @Override
    public int preferredBatchSize() {
        return PREFERRED_BATCH;
    }

    @Override
    public String engine() {
        return FrozenBase.engineName();
    }

    /** The compiled engine, for bench and for callers that run it on their own batches. */
    public FrozenBase frozenBase() {
        return engine;
    }
}
