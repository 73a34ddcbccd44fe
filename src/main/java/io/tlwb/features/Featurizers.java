package io.tlwb.features;

import io.tlwb.engine.CannotCompile;
import io.tlwb.engine.FrozenBase;
import io.tlwb.pretrained.PretrainedModel;
import java.util.Optional;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Picks the featurizer for a base, cut layer and image size: the engine, or the DL4J graph when it cannot compile. */
public final class Featurizers {

    private static final Logger LOG = LoggerFactory.getLogger(Featurizers.class);

    private Featurizers() {
    }

    /**
     * The {@link FastFeaturizer} when the engine can compile the graph up to {@code cutLayer}, else the imported graph
     * itself ({@link GraphFeaturizer}, 10-50x slower), with the reason logged. Both give the same features and cache
     * key; {@link Featurizer#engine()} says which runs.
     */
    public static Featurizer create(PretrainedModel base, String cutLayer, int imageSize) {
        return create(base, cutLayer, imageSize, Pooling.AVERAGE);
    }

    /** As {@link #create(PretrainedModel, String, int)}, reading out the cut layer as {@code pooling} says. */
    public static Featurizer create(PretrainedModel base, String cutLayer, int imageSize, Pooling pooling) {
        try {
            FastFeaturizer fast = FastFeaturizer.compile(base, cutLayer, imageSize, pooling);
            LOG.debug("{} for {} cut at {}: {}", fast.engine(), base.spec(), cutLayer,
                    fast.frozenBase().description());
            return fast;
        } catch (CannotCompile e) {
            LOG.warn("featurizing with the plain DL4J graph (slow): {}", e.getMessage());
            return new GraphFeaturizer(base, cutLayer, imageSize, pooling);
        }
    }

    /**
     * The key under which {@link #create}'s featurizer caches its features, without compiling anything: for stores
     * that featurize elsewhere and fill the same cache.
     */
    public static String cacheKey(PretrainedModel base, String cutLayer, int imageSize, Pooling pooling) {
        return CutFeaturizer.cacheKey(base, cutLayer, imageSize, pooling);
    }

    /**
     * The engine for {@code graph} (e.g. a saved transfer model, its base wrapped frozen) cut at {@code cutLayer};
     * empty, with the reason logged, when it cannot compile. For serving: nothing is cached.
     */
    public static Optional<FrozenBase> engine(ComputationGraph graph, String cutLayer) {
        try {
            return Optional.of(FrozenBase.compile(graph, cutLayer));
        } catch (CannotCompile e) {
            LOG.warn("predicting with the plain DL4J graph (slow): {}", e.getMessage());
            return Optional.empty();
        }
    }
}
