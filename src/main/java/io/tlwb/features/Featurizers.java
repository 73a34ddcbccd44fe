package io.tlwb.features;

import io.tlwb.pretrained.PretrainedModel;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Picks the featurizer for a base, cut layer and image size. */
public final class Featurizers {

    private static final Logger LOG = LoggerFactory.getLogger(Featurizers.class);

    private static volatile boolean waitPolicyHinted;

    private Featurizers() {
    }

    /** Says once per JVM how to avoid the measured 5-20x slowdown of spinning OpenMP threads on a busy machine. */
    static void hintWaitPolicy() {
        if (!waitPolicyHinted && System.getenv("OMP_WAIT_POLICY") == null) {
            waitPolicyHinted = true;
            LOG.warn("OMP_WAIT_POLICY is unset: if other jobs share these cores, featurization can run 5-20x slower; "
                    + "export OMP_WAIT_POLICY=PASSIVE before starting (see bench)");
        }
    }

    /**
     * The {@link FastFeaturizer} when it can compile the graph up to {@code cutLayer}, else the imported graph itself
     * ({@link GraphFeaturizer}, ~10x slower), with the reason logged. Both give the same features and cache key.
     */
    public static Featurizer create(PretrainedModel base, String cutLayer, int imageSize) {
        return create(base, cutLayer, imageSize, Pooling.AVERAGE);
    }

    /**
     * Pooled features of {@code graph} (e.g. a saved transfer model, its base wrapped frozen) cut at {@code cutLayer},
     * compiled as the {@link FastFeaturizer} compiles a base; empty, with the reason logged, when it cannot be. For
     * serving: nothing is cached.
     */
    public static Optional<UnaryOperator<INDArray>> pooledFeatures(ComputationGraph graph, String cutLayer) {
        try {
            FoldedNet net = FoldedNet.compile(graph, cutLayer, FoldedNet.Layout.NHWC);
            hintWaitPolicy();
            return Optional.of(images -> net.featurize(images, true));
        } catch (FoldedNet.Unsupported e) {
            LOG.warn("predicting with the plain DL4J graph (slow): {}", e.getMessage());
            return Optional.empty();
        }
    }

    /** As {@link #create(PretrainedModel, String, int)}, reading out the cut layer as {@code pooling} says. */
    public static Featurizer create(PretrainedModel base, String cutLayer, int imageSize, Pooling pooling) {
        try {
            FastFeaturizer fast = FastFeaturizer.compile(base, cutLayer, imageSize, pooling, FoldedNet.Layout.NHWC);
            LOG.debug("fast featurizer for {} cut at {}: {}", base.spec(), cutLayer, fast.description());
            hintWaitPolicy();
            return fast;
        } catch (UnsupportedOperationException e) {
            LOG.warn("featurizing with the plain DL4J graph (slow): {}", e.getMessage());
            return new GraphFeaturizer(base, cutLayer, imageSize, pooling);
        }
    }
}
