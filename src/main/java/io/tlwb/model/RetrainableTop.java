package io.tlwb.model;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * The part of a transfer model above a frozen layer, as a graph of its own that can be trained: the top blocks of
 * the base (from just after {@code frozenLayer} up to the cut layer), pooling and the head. It reads the frozen
 * layer's activation maps, so fine-tuning runs on cached activations and an epoch costs a fraction of a forward pass
 * through the base.
 *
 * <p>Batch norms stay in inference mode, as in the Keras tutorial's fine-tuning: each is folded into the convolution
 * before it, which then trains with a bias. This keeps the pretrained statistics, which small datasets estimate
 * badly, and sidesteps two DL4J traps of training imported batch norms (frozen ones throw in backprop, DL4J #9101).
 * The imported layers' dropout (Keras' no-op rate) is cleared: its backward pass mixes up NHWC and NCHW shapes.
 * {@link #copyInto} writes the result back into the transfer model, each batch norm becoming an exact identity plus
 * the retrained bias, so the full graph then gives this graph's outputs on images.
 */
public final class RetrainableTop {

    private final ComputationGraph graph;
    /** Retrained convolution name to the batch norm folded into it. */
    private final Map<String, String> foldedBatchNorms;
    private final List<String> retrainedBaseLayers;

    private RetrainableTop(ComputationGraph graph, Map<String, String> foldedBatchNorms,
                           List<String> retrainedBaseLayers) {
        this.graph = graph;
        this.foldedBatchNorms = foldedBatchNorms;
        this.retrainedBaseLayers = retrainedBaseLayers;
    }

    /**
     * The layers of {@code model} above {@code frozenLayer}, initialised from the model as it is (pretrained base,
     * head as trained so far), every trainable layer but the head's fixed standardization stepping with
     * {@code updater}.
     *
     * @param frozenLayer the last frozen layer: a base layer below the cut whose output is the only way into the
     *                    layers above it (a block output such as {@code block_10_project_BN} or {@code block_11_add})
     * @param inputShape  {@code [h, w, channels]} of {@code frozenLayer}'s activations at the training image size
     * @throws IllegalArgumentException naming the layer when {@code frozenLayer} is not such a boundary
     */
    public static RetrainableTop of(TransferModel model, String frozenLayer, long[] inputShape, IUpdater updater) {
        List<String> above = requireBoundary(model, frozenLayer);
        ComputationGraph full = model.graph();
        ComputationGraphConfiguration conf = full.getConfiguration();
        Map<String, List<String>> inputs = conf.getVertexInputs();
        Map<String, String> alias = new HashMap<>(); // a folded batch norm reads as the convolution before it
        Map<String, String> folded = new LinkedHashMap<>();
        List<String> retrained = new ArrayList<>();
        var builder = new NeuralNetConfiguration.Builder()
                .seed(full.getConfiguration().getDefaultConfiguration().getSeed())
                .updater(updater)
                .graphBuilder()
                .addInputs(frozenLayer)
                .setInputTypes(InputType.convolutional(inputShape[0], inputShape[1], inputShape[2], CNN2DFormat.NHWC));
        for (String name : above) {
            List<String> ins = inputs.get(name).stream().map(in -> alias.getOrDefault(in, in)).toList();
            GraphVertex vertex = conf.getVertices().get(name);
            if (!(vertex instanceof LayerVertex lv)) {
                builder.addVertex(name, GraphSurgery.unfrozen(vertex).clone(), ins.toArray(String[]::new));
                continue;
            }
            Layer layer = GraphSurgery.unfrozen(lv.getLayerConf().getLayer()).clone();
            if (layer instanceof BatchNormalization) {
                String conv = ins.get(0); // requireBoundary checked it is a convolution only this batch norm reads
                alias.put(name, conv);
                folded.put(conv, name);
                continue;
            }
            layer.setIDropout(null);
            if (layer instanceof ConvolutionLayer conv) {
                conv.setHasBias(true);
            }
            if (layer instanceof BaseLayer trainable && !name.equals(TransferModel.STANDARDIZE)) {
                trainable.setIUpdater(updater.clone());
                trainable.setBiasUpdater(null);
            }
            if (!model.headLayerNames().contains(name)) {
                retrained.add(name);
            }
            builder.addLayer(name, layer, lv.getPreProcessor(), ins.toArray(String[]::new));
        }
        ComputationGraph graph = new ComputationGraph(builder.setOutputs(TransferModel.OUTPUT).build());
        graph.init();
        RetrainableTop top = new RetrainableTop(graph, folded, List.copyOf(retrained));
        top.initialiseFrom(full);
        return top;
    }

    /**
     * Checks, cheaply and before any work, that fine-tuning {@code model} can start above {@code frozenLayer}.
     *
     * @return the vertices above it, in topological order
     * @throws IllegalArgumentException naming the layer, why, and the nearest layers that would do
     */
    public static List<String> requireBoundary(TransferModel model, String frozenLayer) {
        try {
            return layersAboveBoundary(model, frozenLayer);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + "; fine-tuning can start from "
                    + String.join(", ", boundaries(model)), e);
        }
    }

    /** The vertices above {@code frozenLayer} if fine-tuning can start there, else why not. */
    private static List<String> layersAboveBoundary(TransferModel model, String frozenLayer) {
        ComputationGraph full = model.graph();
        ComputationGraphConfiguration conf = full.getConfiguration();
        if (!conf.getVertices().containsKey(frozenLayer) || model.headLayerNames().contains(frozenLayer)) {
            throw new IllegalArgumentException("'" + frozenLayer + "' is not a base layer below the cut layer '"
                    + model.cutLayer() + "'");
        }
        List<String> above = layersAbove(full, frozenLayer);
        if (!above.contains(model.cutLayer())) {
            throw new IllegalArgumentException("'" + frozenLayer + "' is not below the cut layer '"
                    + model.cutLayer() + "'");
        }
        Map<String, List<String>> inputs = conf.getVertexInputs();
        for (String name : above) {
            if (layerOf(conf, name) instanceof BatchNormalization) {
                String conv = inputs.get(name).get(0);
                if (!above.contains(conv) || !(layerOf(conf, conv) instanceof ConvolutionLayer)
                        || consumers(inputs, conv) != 1) {
                    throw new IllegalArgumentException("batch norm '" + name + "' above '" + frozenLayer
                            + "' does not directly follow a convolution it can be folded into");
                }
            }
        }
        return above;
    }

    /** The last few base layers below the cut that fine-tuning can start from, nearest the cut last. */
    private static List<String> boundaries(TransferModel model) {
        List<String> ordered = new ArrayList<>();
        for (int index : model.graph().topologicalSortOrder()) {
            String name = model.graph().getVertices()[index].getVertexName();
            try {
                layersAboveBoundary(model, name);
                ordered.add(name);
            } catch (IllegalArgumentException notABoundary) {
                // inside a residual block, between a convolution and its batch norm, or not below the cut
            }
        }
        return ordered.subList(Math.max(0, ordered.size() - 4), ordered.size());
    }

    /** The trainable graph: the frozen layer's NHWC activations in (the input is named after it), probabilities out. */
    public ComputationGraph graph() {
        return graph;
    }

    /** The base layers whose parameters {@link #copyInto} changes: the retrained ones and their batch norms. */
    public List<String> changedBaseLayers() {
        List<String> changed = new ArrayList<>();
        for (String layer : retrainedBaseLayers) {
            if (graph.getLayer(layer).numParams() > 0) {
                changed.add(layer);
                if (foldedBatchNorms.containsKey(layer)) {
                    changed.add(foldedBatchNorms.get(layer));
                }
            }
        }
        return changed;
    }

    /** Writes this graph's parameters into {@code model}'s full graph, which then computes exactly what it does. */
    public void copyInto(TransferModel model) {
        ComputationGraph full = model.graph();
        for (var source : graph.getLayers()) {
            if (source.numParams() == 0) {
                continue;
            }
            String name = source.conf().getLayer().getLayerName();
            var target = full.getLayer(name);
            String bn = foldedBatchNorms.get(name);
            if (bn == null) {
                copyByName(source, target);
                continue;
            }
            target.getParam("W").assign(source.getParam("W"));
            INDArray bias = source.getParam("b");
            boolean convHasBias = target.paramTable().containsKey("b");
            if (convHasBias) {
                target.getParam("b").assign(bias.reshape(target.getParam("b").shape()));
            }
            BatchNormFold.setToShift(batchNorm(full, bn), full.getLayer(bn).paramTable(),
                    convHasBias ? Nd4j.zerosLike(bias) : bias);
        }
        model.markRetrained(changedBaseLayers());
    }

    private void initialiseFrom(ComputationGraph full) {
        for (var target : graph.getLayers()) {
            if (target.numParams() == 0) {
                continue;
            }
            String name = target.conf().getLayer().getLayerName();
            var source = full.getLayer(name);
            String bn = foldedBatchNorms.get(name);
            if (bn == null) {
                copyByName(source, target);
                continue;
            }
            boolean depthwise = target.conf().getLayer() instanceof DepthwiseConvolution2D;
            BatchNormFold fold = BatchNormFold.of(source.getParam("W"), source.paramTable().get("b"), depthwise,
                    batchNorm(full, bn), full.getLayer(bn).paramTable());
            target.getParam("W").assign(fold.weights());
            target.getParam("b").assign(fold.bias().reshape(target.getParam("b").shape()));
        }
    }

    /** Parameter by parameter: flattened layouts differ between layer types (see GraphSurgery.copyBaseParams). */
    private static void copyByName(org.deeplearning4j.nn.api.Layer source, org.deeplearning4j.nn.api.Layer target) {
        source.paramTable().forEach((key, value) -> target.getParam(key).assign(value));
    }

    private static BatchNormalization batchNorm(ComputationGraph full, String name) {
        return (BatchNormalization) layerOf(full.getConfiguration(), name);
    }

    /** The layer configuration of vertex {@code name}, unwrapped if frozen; null if it is not a layer. */
    private static Layer layerOf(ComputationGraphConfiguration conf, String name) {
        return conf.getVertices().get(name) instanceof LayerVertex lv ? GraphSurgery.unfrozen(lv.getLayerConf().getLayer()) : null;
    }


    /**
     * Every vertex that depends on {@code frozenLayer}, in topological order, provided none of them also reads a
     * vertex below it (a skip connection around it would need activations that are not cached).
     */
    private static List<String> layersAbove(ComputationGraph full, String frozenLayer) {
        Map<String, List<String>> inputs = full.getConfiguration().getVertexInputs();
        Set<String> above = new LinkedHashSet<>();
        for (int index : full.topologicalSortOrder()) {
            String name = full.getVertices()[index].getVertexName();
            List<String> ins = inputs.getOrDefault(name, List.of());
            if (ins.stream().anyMatch(in -> in.equals(frozenLayer) || above.contains(in))) {
                for (String in : ins) {
                    if (!in.equals(frozenLayer) && !above.contains(in)) {
                        throw new IllegalArgumentException("starting at '" + frozenLayer + "' would cut the "
                                + "connection from '" + in + "' into '" + name + "'");
                    }
                }
                above.add(name);
            }
        }
        return List.copyOf(above);
    }

    private static int consumers(Map<String, List<String>> inputs, String vertex) {
        return (int) inputs.values().stream().filter(ins -> ins.contains(vertex)).count();
    }
}
