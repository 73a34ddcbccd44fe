package io.tlwb.features;

import io.tlwb.model.GraphSurgery;
import io.tlwb.pretrained.PretrainedModel;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Featurizes with the imported DL4J graph itself, cut at a layer and globally average-pooled. */
public final class GraphFeaturizer implements Featurizer {

    private final ComputationGraph graph;
    private final int featureSize;
    private final String cacheKey;

    public GraphFeaturizer(PretrainedModel base, String cutLayer, int imageSize) {
        this.graph = GraphSurgery.copyBaseParams(base.graph(),
                GraphSurgery.cutAndPool(base.graph(), cutLayer, new FineTuneConfiguration.Builder().build())
                        .setOutputs(GraphSurgery.POOL)
                        .validateOutputLayerConfig(false)
                        .build());
        this.featureSize = GraphSurgery.channelsAt(base, cutLayer);
        this.cacheKey = cacheKey(base, cutLayer, imageSize);
    }

    /** The cache key of pooled features of {@code base} cut at {@code cutLayer} for {@code imageSize} input. */
    static String cacheKey(PretrainedModel base, String cutLayer, int imageSize) {
        return String.join("|", "weights=" + base.sha256(), "cut=" + cutLayer, "size=" + imageSize,
                "preprocessing=" + base.preprocessing().name(), "pool=avg");
    }

    @Override
    public INDArray featurize(INDArray images) {
        return graph.outputSingle(false, images);
    }

    @Override
    public int featureSize() {
        return featureSize;
    }

    @Override
    public String cacheKey() {
        return cacheKey;
    }
}
