package io.tlwb.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What training produced, as a value: the head's parameters and, after fine-tuning, those of the base layers it
 * retrained, each a detached copy no graph shares. It holds no base: {@link TransferModel#assemble} joins it with
 * one when the model is saved, so a search can keep many of these for the price of their heads.
 */
public final class TrainedHead {

    private final HeadSpec spec;
    /** Layer name to parameter name to value. */
    private final Map<String, Map<String, INDArray>> params;
    private final List<String> retrainedBaseLayers;

    private TrainedHead(HeadSpec spec, Map<String, Map<String, INDArray>> params, List<String> retrainedBaseLayers) {
        this.spec = spec;
        this.params = params;
        this.retrainedBaseLayers = List.copyOf(retrainedBaseLayers);
    }

    /** The head as {@code headGraph} (a graph from {@link HeadSpec#newHeadGraph}) holds it now. */
    public static TrainedHead of(HeadSpec spec, ComputationGraph headGraph) {
        Map<String, Map<String, INDArray>> params = new LinkedHashMap<>();
        for (var layer : headGraph.getLayers()) {
            if (layer.numParams() > 0) {
                params.put(layer.conf().getLayer().getLayerName(), copy(layer.paramTable()));
            }
        }
        return new TrainedHead(spec, params, List.of());
    }

    /**
     * This head after fine-tuning: {@code changed} replaces the parameters of the layers it names (head or base),
     * and {@code retrainedBaseLayers} are the base layers among them.
     */
    TrainedHead withRetrained(Map<String, Map<String, INDArray>> changed, List<String> retrainedBaseLayers) {
        Map<String, Map<String, INDArray>> all = new LinkedHashMap<>(params);
        changed.forEach((layer, table) -> all.put(layer, copy(table)));
        return new TrainedHead(spec, all, retrainedBaseLayers);
    }

    public HeadSpec spec() {
        return spec;
    }

    /** Every layer whose parameters training set: base layers retrained by fine-tuning, then the head's. */
    public List<String> trainedLayerNames() {
        List<String> names = new ArrayList<>(retrainedBaseLayers);
        names.addAll(TransferModel.headLayerNames(spec));
        return names;
    }

    /** Writes these parameters into the layers of the same names in {@code graph}. */
    void writeInto(ComputationGraph graph) {
        params.forEach((layer, table) -> table.forEach((name, value) -> graph.getLayer(layer).getParam(name).assign(value)));
    }

    private static Map<String, INDArray> copy(Map<String, INDArray> table) {
        Map<String, INDArray> copy = new LinkedHashMap<>();
        table.forEach((name, value) -> copy.put(name, value.dup()));
        return copy;
    }
}
