package io.tlwb.features;

import io.tlwb.pretrained.PretrainedModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Picks the featurizer for a base, cut layer and image size. */
public final class Featurizers {

    private static final Logger LOG = LoggerFactory.getLogger(Featurizers.class);

    private Featurizers() {
    }

    /**
     * The {@link FastFeaturizer} when it can compile the graph up to {@code cutLayer}, else the imported graph itself
     * ({@link GraphFeaturizer}, ~10x slower), with the reason logged. Both give the same features and cache key.
     */
    public static Featurizer create(PretrainedModel base, String cutLayer, int imageSize) {
        try {
            FastFeaturizer fast = FastFeaturizer.compile(base, cutLayer, imageSize);
            LOG.debug("fast featurizer for {} cut at {}: {}", base.spec(), cutLayer, fast.description());
            return fast;
        } catch (UnsupportedOperationException e) {
            LOG.warn("featurizing with the plain DL4J graph (slow): {}", e.getMessage());
            return new GraphFeaturizer(base, cutLayer, imageSize);
        }
    }
}
