package io.tlwb.features;

import io.tlwb.model.GraphSurgery;
import io.tlwb.pretrained.PretrainedModel;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Featurizes with the imported DL4J graph itself, cut at a layer and globally average-pooled (or not). */
public final class GraphFeaturizer extends CutFeaturizer {

    private final ComputationGraph graph;

    public GraphFeaturizer(PretrainedModel base, String cutLayer, int imageSize) {
        this(base, cutLayer, imageSize, Pooling.AVERAGE);
    }

    public GraphFeaturizer(PretrainedModel base, String cutLayer, int imageSize, Pooling pooling) {
        super(base, cutLayer, imageSize, pooling);
        var builder = GraphSurgery.cutAndPool(base.graph(), cutLayer, new FineTuneConfiguration.Builder().build());
        if (pooling == Pooling.NONE) {
            builder.removeVertexAndConnections(GraphSurgery.POOL);
        }
        this.graph = GraphSurgery.copyParamsByName(base.graph(),
                builder.setOutputs(pooling == Pooling.AVERAGE ? GraphSurgery.POOL : cutLayer)
                        .validateOutputLayerConfig(false)
                        .build());
    }

    @Override
    public INDArray featurize(INDArray images) {
        INDArray out = graph.outputSingle(false, images);
        return pooling == Pooling.AVERAGE ? out : out.dup('c').reshape('c', out.size(0), featureSize());
    }

}
