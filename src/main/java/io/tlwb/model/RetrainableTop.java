package io.tlwb.model;

import io.tlwb.pretrained.PretrainedModel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationReLU;
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
 * {@link #retrained} gives the result as a {@link TrainedHead}, each batch norm becoming an exact identity plus the
 * retrained bias, so the model assembled from it gives this graph's outputs on images.
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
        ComputationGraph full = model.graph();
        List<String> headLayers = TransferModel.headLayerNames(model.spec());
        Set<String> base = new HashSet<>(full.getConfiguration().getVertices().keySet());
        headLayers.forEach(base::remove);
        List<String> above = requireBoundary(full, full.getConfiguration().getVertices().keySet(), base,
                model.cutLayer(), frozenLayer);
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
            if (layer instanceof ActivationLayer activation && isReLU6(activation.getActivationFn())) {
                // the same function, as one native op forward and step masks backward (ReLU's generic clamp is slower)
                activation.setActivationFn(new SteppedReLU6());
            }
            if (layer instanceof ConvolutionLayer conv) {
                conv.setHasBias(true);
            }
            if (layer instanceof BaseLayer trainable && !name.equals(TransferModel.STANDARDIZE)) {
                trainable.setIUpdater(updater.clone());
                trainable.setBiasUpdater(null);
            }
            if (!headLayers.contains(name)) {
                retrained.add(name);
            }
            if (PointwiseConvolution.covers(layer)) {
                // the input's gradient is wanted unless this layer alone reads the cached maps (DL4J adds the
                // gradients of several readers, and cannot add a missing one)
                boolean readsOnlyTheMaps = ins.equals(List.of(frozenLayer)) && above.stream()
                        .filter(v -> inputs.get(v).contains(frozenLayer)).count() == 1;
                layer = PointwiseConvolution.of((ConvolutionLayer) layer, !readsOnlyTheMaps);
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
     * Checks, cheaply and before any work (no copy of the base), that fine-tuning a model of {@code base} cut at
     * {@code cutLayer} can start above {@code frozenLayer}.
     *
     * @throws IllegalArgumentException naming the layer, why, and the nearest layers that would do
     */
    public static void requireBoundary(PretrainedModel base, String cutLayer, String frozenLayer) {
        ComputationGraph graph = base.graph();
        Set<String> cutBase = GraphSurgery.ancestorsOf(graph.getConfiguration(), cutLayer);
        requireBoundary(graph, cutBase, cutBase, cutLayer, frozenLayer);
    }

    /**
     * @param walk the vertices of {@code graph} the trainable part may hold (the cut base, and the head if any)
     * @param base the vertices of {@code graph} that belong to the cut base (the cut layer and what it depends on)
     * @return the vertices above {@code frozenLayer}, in topological order
     */
    private static List<String> requireBoundary(ComputationGraph graph, Set<String> walk, Set<String> base,
                                                String cutLayer, String frozenLayer) {
        try {
            return layersAboveBoundary(graph, walk, base, cutLayer, frozenLayer);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + "; fine-tuning can start from "
                    + String.join(", ", boundaries(graph, walk, base, cutLayer, 4)), e);
        }
    }

    /** The vertices above {@code frozenLayer} if fine-tuning can start there, else why not. */
    private static List<String> layersAboveBoundary(ComputationGraph graph, Set<String> walk, Set<String> base,
                                                    String cutLayer, String frozenLayer) {
        ComputationGraphConfiguration conf = graph.getConfiguration();
        if (!base.contains(frozenLayer) || !conf.getVertices().containsKey(frozenLayer)) { // inputs are no layers
            throw new IllegalArgumentException("'" + frozenLayer + "' is not a base layer below the cut layer '"
                    + cutLayer + "'");
        }
        List<String> above = layersAbove(graph, walk, frozenLayer);
        if (!above.contains(cutLayer)) {
            throw new IllegalArgumentException("'" + frozenLayer + "' is not below the cut layer '" + cutLayer + "'");
        }
        Map<String, List<String>> inputs = conf.getVertexInputs();
        for (String name : above) {
            if (base.contains(name) && layerOf(conf, name) instanceof BatchNormalization) {
                String conv = inputs.get(name).get(0);
                if (!above.contains(conv) || !(layerOf(conf, conv) instanceof ConvolutionLayer)
                        || consumers(inputs, conv, base) != 1) {
                    throw new IllegalArgumentException("batch norm '" + name + "' above '" + frozenLayer
                            + "' does not directly follow a convolution it can be folded into");
                }
            }
        }
        return above;
    }

    /**
     * The residual add nearest below {@code cutLayer} that fine-tuning can start from (the top inverted-residual
     * block or blocks above it are then retrained), or empty when the cut base has none.
     */
    public static Optional<String> nearestBlockBoundary(PretrainedModel base, String cutLayer) {
        ComputationGraph graph = base.graph();
        Set<String> cutBase = GraphSurgery.ancestorsOf(graph.getConfiguration(), cutLayer);
        List<String> candidates = boundaries(graph, cutBase, cutBase, cutLayer, Integer.MAX_VALUE);
        for (int i = candidates.size() - 1; i >= 0; i--) {
            String name = candidates.get(i);
            if (!name.equals(cutLayer) && graph.getConfiguration().getVertices().get(name) instanceof ElementWiseVertex) {
                return Optional.of(name);
            }
        }
        return Optional.empty();
    }

    /** The last {@code count} base layers below the cut that fine-tuning can start from, nearest the cut last. */
    private static List<String> boundaries(ComputationGraph graph, Set<String> walk, Set<String> base,
                                           String cutLayer, int count) {
        List<String> ordered = new ArrayList<>();
        for (int index : graph.topologicalSortOrder()) {
            String name = graph.getVertices()[index].getVertexName();
            try {
                layersAboveBoundary(graph, walk, base, cutLayer, name);
                ordered.add(name);
            } catch (IllegalArgumentException notABoundary) {
                // inside a residual block, between a convolution and its batch norm, or not below the cut
            }
        }
        return ordered.subList(Math.max(0, ordered.size() - count), ordered.size());
    }

    /** The trainable graph: the frozen layer's NHWC activations in (the input is named after it), probabilities out. */
    public ComputationGraph graph() {
        return graph;
    }

    /** The base layers whose parameters {@link #retrained} changes: the retrained ones and their batch norms. */
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

    /**
     * {@code model}'s trained head with this graph's parameters: the head's and the retrained base layers', each
     * folded batch norm written as an exact identity plus the retrained bias where the convolution has none.
     */
    public TrainedHead retrained(TransferModel model) {
        ComputationGraph full = model.graph();
        Map<String, Map<String, INDArray>> changed = new LinkedHashMap<>();
        for (var source : graph.getLayers()) {
            if (source.numParams() == 0) {
                continue;
            }
            String name = source.conf().getLayer().getLayerName();
            String bn = foldedBatchNorms.get(name);
            if (bn == null) {
                changed.put(name, source.paramTable());
                continue;
            }
            Map<String, INDArray> conv = new LinkedHashMap<>();
            conv.put("W", source.getParam("W"));
            INDArray bias = source.getParam("b");
            boolean convHasBias = full.getLayer(name).paramTable().containsKey("b");
            if (convHasBias) {
                conv.put("b", bias.reshape(full.getLayer(name).getParam("b").shape()));
            }
            changed.put(name, conv);
            Map<String, INDArray> shift = new LinkedHashMap<>();
            full.getLayer(bn).paramTable().forEach((key, value) -> shift.put(key, value.dup()));
            BatchNormFold.setToShift(batchNorm(full, bn), shift, convHasBias ? Nd4j.zerosLike(bias) : bias);
            changed.put(bn, shift);
        }
        return model.trained().withRetrained(changed, changedBaseLayers());
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

    /** Keras' {@code ReLU(6.)} as DL4J imports it: a ReLU clipped at 6, with no threshold and no negative slope. */
    private static boolean isReLU6(IActivation fn) {
        return fn instanceof ActivationReLU relu && relu.getMax() != null && relu.getMax() == 6.0
                && (relu.getThreshold() == null || relu.getThreshold() == 0)
                && (relu.getNegativeSlope() == null || relu.getNegativeSlope() == 0);
    }

    /** Parameter by parameter: flattened layouts differ between layer types (see GraphSurgery.copyParamsByName). */
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
     * Every vertex of {@code walk} that depends on {@code frozenLayer}, in topological order, provided none of them also reads a
     * vertex below it (a skip connection around it would need activations that are not cached).
     */
    private static List<String> layersAbove(ComputationGraph full, Set<String> walk, String frozenLayer) {
        Map<String, List<String>> inputs = full.getConfiguration().getVertexInputs();
        Set<String> above = new LinkedHashSet<>();
        for (int index : full.topologicalSortOrder()) {
            String name = full.getVertices()[index].getVertexName();
            if (!walk.contains(name)) {
                continue;
            }
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

    /** How many vertices of {@code region} read {@code vertex}. */
    private static int consumers(Map<String, List<String>> inputs, String vertex, Set<String> region) {
        return (int) inputs.entrySet().stream()
                .filter(e -> region.contains(e.getKey()) && e.getValue().contains(vertex)).count();
    }
}
