package io.tlwb.model;

import io.tlwb.pretrained.PretrainedModel;
import java.util.List;
import java.util.Objects;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What a head is before it is trained: where it reads the base, how wide that is, the classes it tells apart, its
 * configuration and the seed of its initialisation. Made once per run (or candidate) with {@link #of}, which checks the
 * cut layer against the base without copying it.
 *
 * @param cutLayer     the base layer whose pooled activations the head reads
 * @param featureSize  channels at the cut layer
 * @param classWeights each class's weight in the loss, or null for equal weights
 */
public record HeadSpec(String cutLayer, int featureSize, List<String> classes, HeadConfig head, long seed,
                       double[] classWeights) {

    public HeadSpec {
        Objects.requireNonNull(cutLayer, "cutLayer");
        Objects.requireNonNull(head, "head");
        classes = List.copyOf(classes);
        if (classes.size() < 2) {
            throw new IllegalArgumentException("a classifier needs at least two classes, got " + classes);
        }
        if (featureSize < 1) {
            throw new IllegalArgumentException("feature size must be >= 1, got " + featureSize);
        }
        if (classWeights != null && classWeights.length != classes.size()) {
            throw new IllegalArgumentException(classWeights.length + " class weights for " + classes.size()
                    + " classes");
        }
        classWeights = classWeights == null ? null : classWeights.clone();
    }

    /** A head whose classes weigh the same in the loss. */
    public HeadSpec(String cutLayer, int featureSize, List<String> classes, HeadConfig head, long seed) {
        this(cutLayer, featureSize, classes, head, seed, null);
    }

    /** This head with {@code weights} (one per class, or null) in its loss. */
    public HeadSpec withClassWeights(double[] weights) {
        return new HeadSpec(cutLayer, featureSize, classes, head, seed, weights);
    }

    @Override
    public double[] classWeights() {
        return classWeights == null ? null : classWeights.clone();
    }

    /**
     * The head for {@code base} cut at {@code cutLayer}, or at the base's default cut when it is null.
     *
     * @throws IllegalArgumentException naming the layer when the base has no such feature-map layer
     */
    public static HeadSpec of(PretrainedModel base, List<String> classes, String cutLayer, HeadConfig head, long seed) {
        String cut = base.cutLayerOr(cutLayer);
        return new HeadSpec(cut, GraphSurgery.channelsAt(base, cut), classes, head, seed);
    }

    public int numClasses() {
        return classes.size();
    }

    /**
     * A fresh, initialised graph holding only the head: pooled features {@code [batch, featureSize]} in.
     *
     * @param training the features the head will train on; their per-feature mean and spread fix the
     *                 standardization layer when the head standardizes
     */
    public ComputationGraph newHeadGraph(INDArray training) {
        return newHeadGraph(FeatureStatistics.of(training));
    }

    /** As {@link #newHeadGraph(INDArray)}, from the training features' statistics (rows streamed elsewhere). */
    public ComputationGraph newHeadGraph(FeatureStatistics training) {
        return TransferModel.newHeadGraph(featureSize, classes.size(), head, seed, classWeights, training);
    }
}
