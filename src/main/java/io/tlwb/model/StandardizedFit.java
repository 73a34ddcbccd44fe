package io.tlwb.model;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A head graph ({@link HeadSpec#newHeadGraph}) split for training: its fixed standardization layer runs on the features
 * once, outside the graph, and the rest trains as a graph of its own with the same parameters. Inside the graph DL4J
 * ran that layer's forward and backward pass and its zero update at every iteration, a sixth of a head's training.
 * The features go through the layer's own forward pass, so training computes exactly what it did.
 */
public final class StandardizedFit {

    private final ComputationGraph head;
    private final Layer standardize;
    private final ComputationGraph trainable;

    private StandardizedFit(ComputationGraph head, Layer standardize, ComputationGraph trainable) {
        this.head = head;
        this.standardize = standardize;
        this.trainable = trainable;
    }

    /** The split of {@code head}, a graph of {@code spec}; a head without standardization trains as it is. */
    public static StandardizedFit of(HeadSpec spec, ComputationGraph head) {
        if (!spec.head().standardize()) {
            return new StandardizedFit(head, null, head);
        }
        return new StandardizedFit(head, head.getLayer(TransferModel.STANDARDIZE),
                TransferModel.headWithoutStandardization(spec, head));
    }

    /** The graph to fit: the head after its standardization, reading standardized features. */
    public ComputationGraph trainable() {
        return trainable;
    }

    /** {@code features} as the head's standardization layer outputs them (a new array; the same one without it). */
    public INDArray standardized(INDArray features) {
        if (standardize == null) {
            return features;
        }
        return standardize.activate(features, false, LayerWorkspaceMgr.noWorkspaces()).detach();
    }

    /** The whole head with {@code trained}'s parameters (the trainable graph or a copy kept of it) written in. */
    public ComputationGraph headWith(ComputationGraph trained) {
        return trained == head ? head : GraphSurgery.copyParamsByName(trained, head);
    }
}
