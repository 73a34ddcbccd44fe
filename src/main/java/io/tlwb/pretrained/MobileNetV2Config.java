package io.tlwb.pretrained;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The Keras MobileNetV2 architecture ({@code keras_applications/mobilenet_v2.py}, no top) as a Keras 2.2.4 model
 * config, for weights-only files that carry no config. Layer names match Keras exactly ({@code Conv1},
 * {@code bn_Conv1}, {@code expanded_conv_*}, {@code block_N_*}, {@code Conv_1}, {@code Conv_1_bn}, {@code out_relu})
 * because the weights are looked up by them.
 *
 * @param alpha width multiplier, one of {@link #ALPHAS}
 * @param size  square input size, one of {@link #SIZES}
 */
record MobileNetV2Config(double alpha, int size) {
    static final List<Double> ALPHAS = List.of(0.35, 0.5, 0.75, 1.0, 1.3, 1.4);
    static final List<Integer> SIZES = List.of(96, 128, 160, 192, 224);
    /** The default cut layer: the last 7x7x1280 activation before pooling. */
    static final String BOTTLENECK = "out_relu";

    MobileNetV2Config {
        if (!ALPHAS.contains(alpha)) {
            throw new WeightsException("MobileNetV2 alpha " + alpha + " is not one Keras publishes weights for: "
                    + "expected one of " + ALPHAS);
        }
        if (!SIZES.contains(size)) {
            throw new WeightsException("MobileNetV2 input size " + size + " is not one Keras publishes weights for: "
                    + "expected one of " + SIZES);
        }
        if (alpha > 1.0 && size != 224) {
            throw new WeightsException("MobileNetV2 alpha " + alpha + " exists only at size 224, not " + size);
        }
    }

    /** {@code 1.0}, {@code 0.35}: alpha as Keras writes it in file names. */
    String alphaText() {
        return alpha == Math.rint(alpha) ? String.format(Locale.ROOT, "%.1f", alpha)
                : String.valueOf(alpha).replaceAll("0+$", "");
    }

    /** Keras' {@code _make_divisible}: round to a multiple of {@code divisor}, never down by more than 10%. */
    static int makeDivisible(double v, int divisor) {
        int newV = Math.max(divisor, (int) (v + divisor / 2.0) / divisor * divisor);
        if (newV < 0.9 * v) {
            newV += divisor;
        }
        return newV;
    }

    /** Padding before a stride-2 kernel-3 convolution, keras_applications' {@code correct_pad} (1 after). */
    private static int correctPad(int spatial) {
        return spatial % 2 == 0 ? 0 : 1;
    }

    /** The model config JSON object ({@code class_name: Model}) plus {@code keras_version}/{@code backend}. */
    ObjectNode modelConfig() {
        return build().config;
    }

    /** Per layer (in config order), the Keras weight names and shapes this architecture expects. */
    Map<String, Map<String, long[]>> weightShapes() {
        return build().shapes;
    }

    private record Built(ObjectNode config, Map<String, Map<String, long[]>> shapes) {
    }

    private Built build() {
        Builder b = new Builder();
        String x = b.input(size);
        int spatial = size;
        int channels = makeDivisible(32 * alpha, 8);
        x = b.zeroPad("Conv1_pad", x, correctPad(spatial), 1);
        x = b.conv("Conv1", x, 3, channels, 2, "valid", 3, false);
        spatial = (spatial + 1) / 2;
        x = b.bn("bn_Conv1", x, channels);
        x = b.relu6("Conv1_relu", x);
        int[][] table = { // filters, stride, expansion: the 17 blocks of the paper's table 2
                {16, 1, 1}, {24, 2, 6}, {24, 1, 6}, {32, 2, 6}, {32, 1, 6}, {32, 1, 6},
                {64, 2, 6}, {64, 1, 6}, {64, 1, 6}, {64, 1, 6}, {96, 1, 6}, {96, 1, 6}, {96, 1, 6},
                {160, 2, 6}, {160, 1, 6}, {160, 1, 6}, {320, 1, 6}};
        for (int id = 0; id < table.length; id++) {
            int filters = table[id][0];
            int stride = table[id][1];
            int expansion = table[id][2];
            int pointwise = makeDivisible((int) (filters * alpha), 8);
            String prefix = id == 0 ? "expanded_conv_" : "block_" + id + "_";
            String in = x;
            int expanded = channels;
            if (id > 0) {
                expanded = expansion * channels;
                x = b.conv(prefix + "expand", x, 1, expanded, 1, "same", channels, false);
                x = b.bn(prefix + "expand_BN", x, expanded);
                x = b.relu6(prefix + "expand_relu", x);
            }
            if (stride == 2) {
                x = b.zeroPad(prefix + "pad", x, correctPad(spatial), 1);
                spatial = (spatial + 1) / 2;
            }
            x = b.depthwise(prefix + "depthwise", x, expanded, stride, stride == 1 ? "same" : "valid", false);
            x = b.bn(prefix + "depthwise_BN", x, expanded);
            x = b.relu6(prefix + "depthwise_relu", x);
            x = b.conv(prefix + "project", x, 1, pointwise, 1, "same", expanded, false);
            x = b.bn(prefix + "project_BN", x, pointwise);
            if (channels == pointwise && stride == 1) {
                x = b.add(prefix + "add", in, x);
            }
            channels = pointwise;
        }
        int last = alpha > 1.0 ? makeDivisible(1280 * alpha, 8) : 1280;
        x = b.conv("Conv_1", x, 1, last, 1, "valid", channels, false);
        x = b.bn("Conv_1_bn", x, last);
        x = b.relu6(BOTTLENECK, x);

        return new Built(b.model(String.format(Locale.ROOT, "mobilenetv2_%.2f_%d", alpha, size), x), b.shapes);
    }

    /**
     * Emits Keras 2.2.4 layer configs, field for field as Keras serializes them, with the weight shapes each layer
     * expects. Also used for the nsfwjs graph model ({@link TfjsGraphConversion}).
     */
    static final class Builder {
        final ArrayNode layers = KerasConfigs.JSON.createArrayNode();
        final Map<String, Map<String, long[]>> shapes = new LinkedHashMap<>();
        private final Map<String, Integer> channelsOf = new LinkedHashMap<>();

        String input(int size) {
            ObjectNode l = layer("input_1", "InputLayer", List.of());
            ObjectNode c = (ObjectNode) l.get("config");
            c.remove("trainable");
            c.set("batch_input_shape", KerasConfigs.JSON.createArrayNode().addNull().add(size).add(size).add(3));
            c.put("dtype", "float32");
            c.put("sparse", false);
            channelsOf.put("input_1", 3);
            return "input_1";
        }

        String zeroPad(String name, String in, int before, int after) {
            ObjectNode c = (ObjectNode) layer(name, "ZeroPadding2D", List.of(in)).get("config");
            ArrayNode pad = KerasConfigs.JSON.createArrayNode();
            pad.add(KerasConfigs.JSON.createArrayNode().add(before).add(after));
            pad.add(KerasConfigs.JSON.createArrayNode().add(before).add(after));
            c.set("padding", pad);
            c.put("data_format", "channels_last");
            channelsOf.put(name, channelsOf.get(in));
            return name;
        }

        String conv(String name, String in, int kernel, int filters, int stride, String padding, int inChannels,
                    boolean useBias) {
            ObjectNode c = convolution(name, "Conv2D", in, kernel, stride, padding, useBias);
            c.put("filters", filters);
            kernelAndBiasDefaults(c);
            shapes.put(name, weights(useBias, "kernel", new long[]{kernel, kernel, inChannels, filters}, filters));
            channelsOf.put(name, filters);
            return name;
        }

        /** The config keys Keras' Conv2D and DepthwiseConv2D share: linear, channels_last, no dilation. */
        private ObjectNode convolution(String name, String className, String in, int kernel, int stride,
                                       String padding, boolean useBias) {
            ObjectNode c = (ObjectNode) layer(name, className, List.of(in)).get("config");
            c.set("kernel_size", pair(kernel));
            c.set("strides", pair(stride));
            c.put("padding", padding);
            c.put("data_format", "channels_last");
            c.set("dilation_rate", pair(1));
            c.put("activation", "linear");
            c.put("use_bias", useBias);
            return c;
        }

        /** A kernel's shape, then the bias' if there is one, in Keras' weight order. */
        private static Map<String, long[]> weights(boolean useBias, String kernel, long[] shape, int outputs) {
            Map<String, long[]> s = new LinkedHashMap<>();
            s.put(kernel, shape);
            if (useBias) {
                s.put("bias", new long[]{outputs});
            }
            return s;
        }

        String depthwise(String name, String in, int channels, int stride, String padding, boolean useBias) {
            ObjectNode c = convolution(name, "DepthwiseConv2D", in, 3, stride, padding, useBias);
            c.set("bias_initializer", init("Zeros"));
            c.putNull("bias_regularizer");
            c.putNull("activity_regularizer");
            c.putNull("bias_constraint");
            c.put("depth_multiplier", 1);
            c.set("depthwise_initializer", init("VarianceScaling"));
            c.putNull("depthwise_regularizer");
            c.putNull("depthwise_constraint");
            shapes.put(name, weights(useBias, "depthwise_kernel", new long[]{3, 3, channels, 1}, channels));
            channelsOf.put(name, channels);
            return name;
        }

        String bn(String name, String in, int channels) {
            ObjectNode c = (ObjectNode) layer(name, "BatchNormalization", List.of(in)).get("config");
            c.put("axis", -1);
            c.put("momentum", 0.999);
            c.put("epsilon", 0.001);
            c.put("center", true);
            c.put("scale", true);
            c.set("beta_initializer", init("Zeros"));
            c.set("gamma_initializer", init("Ones"));
            c.set("moving_mean_initializer", init("Zeros"));
            c.set("moving_variance_initializer", init("Ones"));
            for (String k : List.of("beta_regularizer", "gamma_regularizer", "beta_constraint", "gamma_constraint")) {
                c.putNull(k);
            }
            Map<String, long[]> s = new LinkedHashMap<>();
            for (String w : List.of("gamma", "beta", "moving_mean", "moving_variance")) {
                s.put(w, new long[]{channels});
            }
            shapes.put(name, s);
            channelsOf.put(name, channels);
            return name;
        }

        String relu6(String name, String in) {
            ObjectNode c = (ObjectNode) layer(name, "ReLU", List.of(in)).get("config");
            c.put("max_value", 6.0);
            c.put("negative_slope", 0.0);
            c.put("threshold", 0.0);
            channelsOf.put(name, channelsOf.get(in));
            return name;
        }

        String add(String name, String a, String b) {
            layer(name, "Add", List.of(a, b));
            channelsOf.put(name, channelsOf.get(b));
            return name;
        }

        String globalAveragePooling(String name, String in) {
            ((ObjectNode) layer(name, "GlobalAveragePooling2D", List.of(in)).get("config"))
                    .put("data_format", "channels_last");
            channelsOf.put(name, channelsOf.get(in));
            return name;
        }

        /** Keras' defaults for a layer with a kernel and a bias: initializers, no regularizers, no constraints. */
        private void kernelAndBiasDefaults(ObjectNode c) {
            c.set("kernel_initializer", init("VarianceScaling"));
            c.set("bias_initializer", init("Zeros"));
            for (String k : List.of("kernel_regularizer", "bias_regularizer", "activity_regularizer",
                    "kernel_constraint", "bias_constraint")) {
                c.putNull(k);
            }
        }

        String dense(String name, String in, int units, String activation) {
            ObjectNode c = (ObjectNode) layer(name, "Dense", List.of(in)).get("config");
            c.put("units", units);
            c.put("activation", activation);
            c.put("use_bias", true);
            kernelAndBiasDefaults(c);
            shapes.put(name, weights(true, "kernel", new long[]{channelsOf.get(in), units}, units));
            channelsOf.put(name, units);
            return name;
        }

        /** The model config ({@code class_name: Model}) of every layer emitted so far, {@code output} its output. */
        ObjectNode model(String name, String output) {
            ObjectNode root = KerasConfigs.JSON.createObjectNode();
            root.put("class_name", "Model");
            ObjectNode cfg = root.putObject("config");
            cfg.put("name", name);
            cfg.set("layers", layers);
            cfg.set("input_layers", KerasConfigs.JSON.createArrayNode().add(ref3("input_1")));
            cfg.set("output_layers", KerasConfigs.JSON.createArrayNode().add(ref3(output)));
            root.put("keras_version", "2.2.4");
            root.put("backend", "tensorflow");
            return root;
        }

        private static ArrayNode ref3(String name) {
            return KerasConfigs.JSON.createArrayNode().add(name).add(0).add(0);
        }

        private ObjectNode layer(String name, String cls, List<String> inputs) {
            ObjectNode l = layers.addObject();
            l.put("name", name);
            l.put("class_name", cls);
            ObjectNode c = l.putObject("config");
            c.put("name", name);
            c.put("trainable", true);
            ArrayNode nodes = l.putArray("inbound_nodes");
            if (!inputs.isEmpty()) {
                ArrayNode node = nodes.addArray();
                for (String in : inputs) {
                    node.addArray().add(in).add(0).add(0).addObject();
                }
            }
            if (!shapes.containsKey(name)) {
                shapes.put(name, Map.of());
            }
            return l;
        }

        private static ArrayNode pair(int v) {
            return KerasConfigs.JSON.createArrayNode().add(v).add(v);
        }

        private static ObjectNode init(String cls) {
            ObjectNode i = KerasConfigs.JSON.createObjectNode();
            i.put("class_name", cls);
            ObjectNode c = i.putObject("config");
            if (cls.equals("VarianceScaling")) {
                c.put("scale", 1.0);
                c.put("mode", "fan_avg");
                c.put("distribution", "uniform");
                c.putNull("seed");
            }
            return i;
        }
    }

    /** Every layer name, in config order. */
    List<String> layerNames() {
        return new ArrayList<>(weightShapes().keySet());
    }
}
