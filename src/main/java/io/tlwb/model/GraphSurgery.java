package io.tlwb.model;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import io.tlwb.pretrained.PretrainedModel;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.FrozenVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.deeplearning4j.nn.transferlearning.TransferLearning;

/** Cutting a pretrained graph at a layer: the one place where the base gets frozen and its top removed. */
public final class GraphSurgery {

    /** Name of the global average pooling vertex every cut graph gets on top of its cut layer. */
    public static final String POOL = "head_pool";

    private GraphSurgery() {
    }

    /**
     * A builder over {@code base} with everything up to {@code cutLayer} frozen, every vertex the cut layer does not
     * depend on removed, and a global average pooling vertex {@link #POOL} on top. Callers add what they need.
     * The fine-tune configuration comes first because DL4J's builder restarts from the original graph when it is set.
     */
    public static TransferLearning.GraphBuilder cutAndPool(ComputationGraph base, String cutLayer,
                                                           FineTuneConfiguration fineTune) {
        ComputationGraphConfiguration conf = base.getConfiguration();
        requireLayer(conf, cutLayer);
        Set<String> keep = ancestorsOf(conf, cutLayer);
        TransferLearning.GraphBuilder builder = new TransferLearning.GraphBuilder(base)
                .fineTuneConfiguration(fineTune)
                .setFeatureExtractor(cutLayer);
        for (String vertex : conf.getVertices().keySet()) {
            if (!keep.contains(vertex)) {
                builder.removeVertexAndConnections(vertex);
            }
        }
        return builder.addLayer(POOL, globalAveragePooling(), cutLayer);
    }

    /**
     * Copies every parameter of {@code from} into the layer of the same name in {@code into} (e.g. a base into a graph
     * built from {@link #cutAndPool}), by parameter name, and returns {@code into}; layers only one graph has are left
     * alone. DL4J M2.1's transfer learning copies a layer's flattened parameters as if laid out in parameter-table
     * order; a DepthwiseConvolution2D with a bias (the nsfwjs mobilenet_v2_mid graph) lays them out bias first, so its
     * kernel and bias came out scrambled.
     */
    public static ComputationGraph copyParamsByName(ComputationGraph from, ComputationGraph into) {
        for (String name : into.getConfiguration().getVertices().keySet()) {
            if (from.getConfiguration().getVertices().containsKey(name) && from.getLayer(name) != null) {
                from.getLayer(name).paramTable().forEach(into.getLayer(name)::setParam);
            }
        }
        return into;
    }

    /** The configuration inside a frozen wrapper ({@code FrozenLayer}, {@code FrozenLayerWithBackprop}), else itself. */
    public static Layer unfrozen(Layer layer) {
        if (layer instanceof FrozenLayer frozen) {
            return frozen.getLayer();
        }
        if (layer instanceof FrozenLayerWithBackprop frozen) {
            return frozen.getUnderlying();
        }
        return layer;
    }

    /** The vertex inside a {@code FrozenVertex} (how transfer learning freezes merges and adds), else itself. */
    public static GraphVertex unfrozen(GraphVertex vertex) {
        return vertex instanceof FrozenVertex frozen ? frozen.getUnderlying() : vertex;
    }

    /** Channels of the feature maps {@code layer} outputs: the length of the pooled feature vector cut there. */
    public static int channelsAt(PretrainedModel base, String layer) {
        return (int) activationShape(base, layer, base.nativeInputSize())[2];
    }

    /** The shape {@code [h, w, channels]} of the feature maps {@code layer} outputs for square {@code imageSize} input. */
    public static long[] activationShape(PretrainedModel base, String layer, int imageSize) {
        return activationShape(base.graph(), layer, imageSize, base.bottleneckLayer());
    }

    /**
     * As {@link #activationShape(PretrainedModel, String, int)} for any graph taking NHWC images.
     *
     * @param suggestion a layer to suggest when {@code layer} does not output feature maps
     */
    public static long[] activationShape(ComputationGraph graph, String layer, int imageSize, String suggestion) {
        requireLayer(graph.getConfiguration(), layer);
        InputType type = graph.getConfiguration()
                .getLayerActivationTypes(InputType.convolutional(imageSize, imageSize, 3, CNN2DFormat.NHWC))
                .get(layer);
        if (!(type instanceof InputType.InputTypeConvolutional conv)) {
            throw new IllegalArgumentException("layer '" + layer + "' does not output feature maps ("
                    + type + "); pick a convolutional block's output such as " + suggestion);
        }
        return new long[]{conv.getHeight(), conv.getWidth(), conv.getChannels()};
    }

    /** Global average pooling over the spatial axes of an NHWC activation (the imported Keras layout). */
    public static GlobalPoolingLayer globalAveragePooling() {
        return new GlobalPoolingLayer.Builder(PoolingType.AVG).poolingDimensions(1, 2).build();
    }

    /** The cut layer and every vertex it depends on, back to the inputs. */
    public static Set<String> ancestorsOf(ComputationGraphConfiguration conf, String layer) {
        Map<String, List<String>> inputs = conf.getVertexInputs();
        Set<String> seen = new HashSet<>();
        Deque<String> todo = new ArrayDeque<>(List.of(layer));
        while (!todo.isEmpty()) {
            String v = todo.pop();
            if (seen.add(v)) {
                todo.addAll(inputs.getOrDefault(v, List.of()));
            }
        }
        return seen;
    }

    /**
     * Checks that {@code cutLayer} is a vertex of {@code base}, before any data work.
     *
     * @throws IllegalArgumentException naming the layer and the last layers a cut usually goes at
     */
    public static void requireLayer(ComputationGraph base, String cutLayer) {
        requireLayer(base.getConfiguration(), cutLayer);
    }

    private static boolean isActivationOrAdd(GraphVertex vertex) {
        if (vertex instanceof ElementWiseVertex add) {
            return add.getOp() == ElementWiseVertex.Op.Add;
        }
        return vertex instanceof LayerVertex layer && unfrozen(layer.getLayerConf().getLayer()) instanceof ActivationLayer;
    }

    private static void requireLayer(ComputationGraphConfiguration conf, String cutLayer) {
        if (!conf.getVertices().containsKey(cutLayer)) {
            // the usual cut points, by what they are rather than by any naming convention: activations and adds
            List<String> candidates = conf.getVertices().entrySet().stream()
                    .filter(e -> isActivationOrAdd(unfrozen(e.getValue())))
                    .map(Map.Entry::getKey)
                    .collect(Collectors.toList());
            throw new IllegalArgumentException("cut layer '" + cutLayer + "' is not in the model; candidates: "
                    + (candidates.size() > 12 ? candidates.subList(candidates.size() - 12, candidates.size()) : candidates));
        }
    }
}
