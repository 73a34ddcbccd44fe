package io.tlwb.features;

import io.tlwb.engine.CannotCompile;
import io.tlwb.engine.FrozenBase;
import io.tlwb.pretrained.PretrainedModel;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.deeplearning4j.nn.graph.ComputationGraph;
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
    private final ComputationGraph graph;
    private final String cutLayer;
    /** Engines reading another featurizer's maps on the way, by its cut layer; empty where the base cannot. */
    private final Map<String, Optional<FrozenBase>> sharedPasses = new HashMap<>();

    private FastFeaturizer(FrozenBase engine, PretrainedModel base, String cutLayer, int imageSize, Pooling pooling) {
        super(base, cutLayer, imageSize, pooling);
        this.engine = engine;
        this.graph = base.graph();
        this.cutLayer = cutLayer;
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

    /**
     * One pass through the base when {@code other} is this base's engine reading the maps of a layer this cut depends
     * on: the head's features and fine-tuning's maps of a 3000-photo set took 21.4 s instead of 33.4 s.
     */
    @Override
    public INDArray[] featurizeWith(Featurizer other, INDArray images) {
        Optional<FrozenBase> shared = sharedPassWith(other);
        return shared.isPresent() ? shared.get().pooledWithSideMaps(images) : super.featurizeWith(other, images);
    }

    private synchronized Optional<FrozenBase> sharedPassWith(Featurizer other) {
        if (pooling != Pooling.AVERAGE || !(other instanceof FastFeaturizer maps) || maps.pooling != Pooling.NONE
                || maps.graph != graph) {
            return Optional.empty();
        }
        return sharedPasses.computeIfAbsent(maps.cutLayer, layer -> {
            try {
                return Optional.of(FrozenBase.compile(graph, cutLayer, layer));
            } catch (CannotCompile e) { // e.g. a layer after the cut, or one the compiled graph changes in place
                return Optional.empty();
            }
        });
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
