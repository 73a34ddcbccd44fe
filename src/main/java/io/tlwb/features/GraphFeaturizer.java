package io.tlwb.features;

import io.tlwb.data.ImagePipeline;
import io.tlwb.model.GraphSurgery;
import io.tlwb.pretrained.PretrainedModel;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Featurizes with the imported DL4J graph itself, cut at a layer and globally average-pooled (or not). */
public final class GraphFeaturizer implements Featurizer {

    private final ComputationGraph graph;
    private final Pooling pooling;
    private final long[] rowShape;
    private final String cacheKey;

    public GraphFeaturizer(PretrainedModel base, String cutLayer, int imageSize) {
        this(base, cutLayer, imageSize, Pooling.AVERAGE);
    }

    public GraphFeaturizer(PretrainedModel base, String cutLayer, int imageSize, Pooling pooling) {
        var builder = GraphSurgery.cutAndPool(base.graph(), cutLayer, new FineTuneConfiguration.Builder().build());
        if (pooling == Pooling.NONE) {
            builder.removeVertexAndConnections(GraphSurgery.POOL);
        }
        this.graph = GraphSurgery.copyBaseParams(base.graph(),
                builder.setOutputs(pooling == Pooling.AVERAGE ? GraphSurgery.POOL : cutLayer)
                        .validateOutputLayerConfig(false)
                        .build());
        this.pooling = pooling;
        this.rowShape = rowShape(base, cutLayer, imageSize, pooling);
        this.cacheKey = cacheKey(base, cutLayer, imageSize, pooling);
    }

    /** The cache key of features of {@code base} cut at {@code cutLayer} for {@code imageSize} input. */
    static String cacheKey(PretrainedModel base, String cutLayer, int imageSize, Pooling pooling) {
        return String.join("|", "weights=" + base.sha256(), "cut=" + cutLayer, "size=" + imageSize,
                "preprocessing=" + base.preprocessing().name(), pooling.cacheKey(),
                "decoding=" + ImagePipeline.DECODING_VERSION);
    }

    static long[] rowShape(PretrainedModel base, String cutLayer, int imageSize, Pooling pooling) {
        return pooling == Pooling.AVERAGE ? new long[]{GraphSurgery.channelsAt(base, cutLayer)}
                : GraphSurgery.activationShape(base, cutLayer, imageSize);
    }

    @Override
    public INDArray featurize(INDArray images) {
        INDArray out = graph.outputSingle(false, images);
        return pooling == Pooling.AVERAGE ? out : out.dup('c').reshape('c', out.size(0), featureSize());
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
