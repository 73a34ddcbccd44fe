package io.tlwb.pretrained;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The nsfwjs TF-Hub MobileNetV2 graph model (batch norm folded into biased convolutions) as an equivalent Keras
 * 2.2.4 layer graph, written as a full-model HDF5 file that DL4J imports.
 *
 * <p>Layers get the Keras MobileNetV2 names ({@code Conv1}, {@code block_13_expand_relu}, {@code out_relu}, ...)
 * without the {@code _BN} layers, so cut layers mean the same on both nsfwjs sources. The graph's own input
 * scaling ({@code hub_input}: x*2-1 on pixels in [0,1]) is dropped: the source declares
 * {@link Preprocessing#MINUS_ONE_TO_ONE} instead. Stride-2 'SAME' convolutions become ZeroPadding2D plus 'valid',
 * as keras_applications builds them, because TF pads them asymmetrically. Any op or attribute outside what this
 * model uses is refused, naming the node, rather than converted approximately.
 */
final class TfjsGraphConversion {
    /** TF-slim scope of a MobileNetV2 node: {@code MobilenetV2/Conv/...}, {@code MobilenetV2/expanded_conv_3/expand/...}. */
    private static final Pattern SCOPE = Pattern.compile(
            ".*MobilenetV2/(Conv|Conv_1|expanded_conv(?:_(\\d+))?)(?:/(expand|depthwise|project))?/[^/]+(?:/[^/]+)?");
    private static final String BIAS_ADD = "BiasAdd";
    private static final String RELU6 = "Relu6";

    private final TfjsGraphModel graph;
    private final String where;
    private final MobileNetV2Config.Builder keras = new MobileNetV2Config.Builder();
    /** TF node name to the Keras layer that holds its value. */
    private final Map<String, String> layerOf = new HashMap<>();
    /** Spatial size of each Keras layer's output, at the model's input size. */
    private final Map<String, Integer> spatialOf = new HashMap<>();
    private final Map<String, List<Tensor>> weightsOf = new HashMap<>();
    private final Map<String, JsonNode> byName = new HashMap<>();

    private TfjsGraphConversion(TfjsGraphModel graph, String where) {
        this.graph = graph;
        this.where = where;
        graph.nodes().forEach(n -> byName.put(n.path("name").asText(), n));
    }

    /** Writes {@code graph} as a Keras full-model file. */
    static void writeFullModel(TfjsGraphModel graph, Path file, String where) {
        TfjsGraphConversion c = new TfjsGraphConversion(graph, where);
        String output = c.convert();
        ObjectNode config = c.keras.model("mobilenetv2_1.40_224_nsfwjs_mid", output);
        KerasH5.writeModel(file, "2.2.4", "tensorflow", config.toString(), c.layerWeights());
    }

    /** Emits every node's Keras layers in file order (a GraphDef lists inputs first); returns the output layer. */
    private String convert() {
        String output = null;
        for (JsonNode node : graph.nodes()) {
            String name = node.path("name").asText();
            switch (node.path("op").asText()) {
                case "Const" -> {
                    // weights, read by the nodes that use them
                }
                case "Placeholder" -> {
                    JsonNode dims = node.path("attr").path("shape").path("shape").path("dim");
                    int size = dims.size() == 4 ? dims.get(1).path("size").asInt() : -1;
                    if (size <= 0 || dims.get(2).path("size").asInt() != size
                            || dims.get(3).path("size").asInt() != 3) {
                        throw fail(node, "an input of shape " + dims + "; expected [-1, N, N, 3]");
                    }
                    put(name, keras.input(size), size);
                }
                case "Mul" -> inputScaling(node, 2.0, "Placeholder");
                case "Sub" -> inputScaling(node, 1.0, "Mul");
                case "_FusedConv2D" -> convolution(node, false);
                case "FusedDepthwiseConv2dNative" -> convolution(node, true);
                case "AddV2" -> {
                    String a = in(node, 0);
                    String b = in(node, 1);
                    put(name, keras.add(prefix(node) + "add", a, b), spatialOf.get(a));
                }
                case "AvgPool" -> {
                    String x = in(node, 0);
                    JsonNode k = node.path("attr").path("ksize").path("list").path("i");
                    int spatial = spatialOf.get(x);
                    if (k.size() != 4 || k.get(1).asInt() != spatial || k.get(2).asInt() != spatial
                            || !"VALID".equals(text(node, "padding"))) {
                        throw fail(node, "an average pool " + k + " that does not cover the whole " + spatial + "x"
                                + spatial + " map");
                    }
                    put(name, keras.globalAveragePooling("global_average_pooling2d", x), 1);
                }
                case "Squeeze" -> {
                    String x = in(node, 0);
                    if (spatialOf.get(x) != 1) {
                        throw fail(node, "a squeeze of " + spatialOf.get(x) + "x" + spatialOf.get(x) + " maps");
                    }
                    put(name, x, 1); // Keras' global pooling already outputs [b, c]
                }
                case "Identity" -> put(name, in(node, 0), spatialOf.get(in(node, 0)));
                case "_FusedMatMul" -> dense(node);
                case "Softmax" -> softmax(node);
                default -> throw fail(node, "op " + node.path("op").asText() + ", which this converter does not know");
            }
            if ("Identity".equals(node.path("op").asText())) {
                output = layerOf.get(name);
            }
        }
        if (output == null) {
            throw new WeightsException(where + ": the graph has no Identity output node; is this the nsfwjs "
                    + "mobilenet_v2_mid model?");
        }
        return output;
    }

    /** {@code hub_input}: x*2 then -1 on the input, dropped because the preprocessing does it. */
    private void inputScaling(JsonNode node, double constant, String inputOp) {
        JsonNode x = null;
        Tensor c = null;
        for (JsonNode in : node.path("input")) {
            Tensor t = graph.constants().get(in.asText());
            if (t != null) {
                c = t;
            } else {
                x = byName.get(in.asText());
            }
        }
        if (c == null || c.size() != 1 || c.data()[0] != constant || x == null
                || !inputOp.equals(x.path("op").asText())) {
            throw fail(node, "input scaling other than hub_input's x*2-1 on [0,1] pixels, which "
                    + Preprocessing.MINUS_ONE_TO_ONE.name() + " preprocessing replaces");
        }
        String input = layerOf.get(x.path("name").asText());
        put(node.path("name").asText(), input, spatialOf.get(input));
    }

    private void convolution(JsonNode node, boolean depthwise) {
        String x = in(node, 0);
        Tensor kernel = constant(node, 1);
        Tensor bias = constant(node, 2);
        List<String> fused = fusedOps(node);
        boolean relu6 = fused.equals(List.of(BIAS_ADD, RELU6));
        if (!relu6 && !fused.equals(List.of(BIAS_ADD))) {
            throw fail(node, "fused ops " + fused + "; expected [BiasAdd] or [BiasAdd, Relu6]");
        }
        if (!"NHWC".equals(text(node, "data_format")) || !ones(node, "dilations")) {
            throw fail(node, "a data format or dilation other than NHWC without dilation");
        }
        JsonNode s = node.path("attr").path("strides").path("list").path("i");
        int stride = s.size() == 4 ? s.get(1).asInt() : -1;
        long[] k = kernel.shape();
        if (stride < 1 || s.get(2).asInt() != stride || k.length != 4 || k[0] != k[1]
                || (depthwise && k[3] != 1)) {
            throw fail(node, "strides " + s + " or kernel " + Arrays.toString(k) + " this converter does not handle");
        }
        String padding = text(node, "padding");
        if (!padding.equals("SAME") && !padding.equals("VALID")) {
            throw fail(node, "padding " + padding);
        }
        int kernelSize = (int) k[0];
        int inChannels = (int) k[2];
        int outChannels = depthwise ? inChannels : (int) k[3];
        String prefix = prefix(node);
        String part = part(node);
        String layer = prefix.equals("Conv1_") || prefix.equals("Conv_1_") ? prefix.substring(0, prefix.length() - 1)
                : prefix + part;
        int spatial = spatialOf.get(x);
        String kerasPadding = padding.equals("SAME") ? "same" : "valid";
        if (stride > 1 && padding.equals("SAME")) {
            // TF pads SAME stride-2 convolutions asymmetrically (nothing before, 1 after at even sizes)
            long total = Math.max((long) (spatial + stride - 1) / stride * stride - stride + kernelSize - spatial, 0);
            x = keras.zeroPad(prefix + "pad", x, (int) (total / 2), (int) (total - total / 2));
            spatialOf.put(x, spatial + (int) total);
            spatial += (int) total;
            kerasPadding = "valid";
        }
        int outSpatial = kerasPadding.equals("same") ? (spatial + stride - 1) / stride
                : (spatial - kernelSize) / stride + 1;
        if (depthwise) {
            keras.depthwise(layer, x, inChannels, stride, kerasPadding, true);
            weightsOf.put(layer, List.of(kernel.renamed(layer + "/depthwise_kernel:0"),
                    bias.renamed(layer + "/bias:0")));
        } else {
            keras.conv(layer, x, kernelSize, outChannels, stride, kerasPadding, inChannels, true);
            weightsOf.put(layer, List.of(kernel.renamed(layer + "/kernel:0"), bias.renamed(layer + "/bias:0")));
        }
        spatialOf.put(layer, outSpatial);
        if (relu6) {
            String relu = layer.equals("Conv_1") ? MobileNetV2Config.BOTTLENECK : layer + "_relu";
            put(node.path("name").asText(), keras.relu6(relu, layer), outSpatial);
        } else {
            put(node.path("name").asText(), layer, outSpatial);
        }
    }

    private void dense(JsonNode node) {
        Tensor kernel = constant(node, 1);
        Tensor bias = constant(node, 2);
        if (!fusedOps(node).equals(List.of(BIAS_ADD)) || node.path("attr").path("transpose_a").path("b").asBoolean()
                || node.path("attr").path("transpose_b").path("b").asBoolean() || kernel.shape().length != 2) {
            throw fail(node, "a matrix product other than x * W + b");
        }
        String[] parts = node.path("name").asText().split("/");
        String layer = parts.length >= 2 ? parts[parts.length - 2] : "dense";
        keras.dense(layer, in(node, 0), (int) kernel.shape()[1], "linear");
        weightsOf.put(layer, List.of(kernel.renamed(layer + "/kernel:0"), bias.renamed(layer + "/bias:0")));
        put(node.path("name").asText(), layer, 1);
    }

    /** A Softmax right after the dense layer becomes that layer's activation, as Keras would write it. */
    private void softmax(JsonNode node) {
        String x = in(node, 0);
        JsonNode last = keras.layers.get(keras.layers.size() - 1);
        if (!"Dense".equals(last.path("class_name").asText()) || !x.equals(last.path("name").asText())) {
            throw fail(node, "a softmax that does not directly follow the dense layer");
        }
        ((ObjectNode) last.get("config")).put("activation", "softmax");
        put(node.path("name").asText(), x, 1);
    }

    /** Every Keras layer's weights, in config order, in the order Keras lists them. */
    private List<LayerWeights> layerWeights() {
        List<LayerWeights> out = new ArrayList<>();
        for (JsonNode l : keras.layers) {
            String layer = l.path("name").asText();
            List<Tensor> weights = weightsOf.getOrDefault(layer, List.of());
            Map<String, long[]> expected = keras.shapes.get(layer);
            List<String> names = new ArrayList<>(expected.keySet());
            for (int i = 0; i < weights.size(); i++) {
                if (i >= names.size() || !weights.get(i).weight().equals(names.get(i))
                        || !Arrays.equals(weights.get(i).shape(), expected.get(names.get(i)))) {
                    throw new WeightsException(where + ": weight " + weights.get(i) + " does not fit layer " + layer
                            + " (expects " + names + "); the graph is not the MobileNetV2 this converter knows");
                }
            }
            out.add(new LayerWeights(layer, weights));
        }
        return out;
    }

    private void put(String tfName, String layer, int spatial) {
        layerOf.put(tfName, layer);
        spatialOf.putIfAbsent(layer, spatial);
    }

    /** The Keras layer holding input {@code i} of {@code node}. */
    private String in(JsonNode node, int i) {
        JsonNode inputs = node.path("input");
        String layer = i < inputs.size() ? layerOf.get(inputs.get(i).asText()) : null;
        if (layer == null) {
            throw fail(node, "input " + i + " that is missing or not computed before it");
        }
        return layer;
    }

    private Tensor constant(JsonNode node, int i) {
        JsonNode inputs = node.path("input");
        Tensor t = i < inputs.size() ? graph.constants().get(inputs.get(i).asText()) : null;
        if (t == null) {
            throw fail(node, "input " + i + " that is not a weight of the manifest");
        }
        return t;
    }

    /** The Keras name prefix of the MobileNetV2 block a node belongs to: {@code Conv1_}, {@code block_3_}, ... */
    private String prefix(JsonNode node) {
        Matcher m = SCOPE.matcher(node.path("name").asText());
        if (!m.matches()) {
            throw fail(node, "a name outside the MobileNetV2 scopes (Conv, expanded_conv_N, Conv_1)");
        }
        return switch (m.group(1)) {
            case "Conv" -> "Conv1_";
            case "Conv_1" -> "Conv_1_";
            default -> m.group(2) == null ? "expanded_conv_" : "block_" + m.group(2) + "_";
        };
    }

    /** {@code expand}, {@code depthwise} or {@code project}; empty for the first and last convolutions. */
    private String part(JsonNode node) {
        Matcher m = SCOPE.matcher(node.path("name").asText());
        return m.matches() && m.group(3) != null ? m.group(3) : "";
    }

    private static List<String> fusedOps(JsonNode node) {
        List<String> ops = new ArrayList<>();
        node.path("attr").path("fused_ops").path("list").path("s")
                .forEach(s -> ops.add(new String(Base64.getDecoder().decode(s.asText()), StandardCharsets.UTF_8)));
        return ops;
    }

    /** A string attribute (GraphDef JSON stores them base64-encoded). */
    private static String text(JsonNode node, String attr) {
        String b64 = node.path("attr").path(attr).path("s").asText("");
        return new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8);
    }

    private static boolean ones(JsonNode node, String attr) {
        JsonNode list = node.path("attr").path(attr).path("list").path("i");
        for (JsonNode v : list) {
            if (v.asInt() != 1) {
                return false;
            }
        }
        return true;
    }

    private WeightsException fail(JsonNode node, String what) {
        return new WeightsException(where + ": node '" + node.path("name").asText() + "' has " + what
                + "; only the nsfwjs mobilenet_v2_mid graph model is supported");
    }
}
