package io.tlwb.pretrained;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Small MobileNetV2 fixtures with seeded random weights, built by the tests themselves. */
final class TinyModels {
    static final MobileNetV2Config TINY = new MobileNetV2Config(0.35, 96);

    private TinyModels() {
    }

    /** Plausible weights for every layer of {@code arch}: small kernels, BN near identity. */
    static List<LayerWeights> randomWeights(MobileNetV2Config arch, long seed) {
        Random rnd = new Random(seed);
        List<LayerWeights> out = new ArrayList<>();
        for (Map.Entry<String, Map<String, long[]>> layer : arch.weightShapes().entrySet()) {
            List<Tensor> tensors = new ArrayList<>();
            layer.getValue().entrySet().stream()
                    .sorted((a, b) -> KerasConfigs.weightRank(a.getKey()) - KerasConfigs.weightRank(b.getKey()))
                    .forEach(w -> {
                        long n = 1;
                        for (long d : w.getValue()) {
                            n *= d;
                        }
                        float[] v = new float[(int) n];
                        for (int i = 0; i < v.length; i++) {
                            v[i] = switch (w.getKey()) {
                                case "gamma" -> 1f + 0.1f * (float) rnd.nextGaussian();
                                case "moving_variance" -> 0.5f + rnd.nextFloat();
                                case "beta", "moving_mean" -> 0.1f * (float) rnd.nextGaussian();
                                default -> 0.3f * (float) rnd.nextGaussian();
                            };
                        }
                        tensors.add(new Tensor(layer.getKey() + "/" + w.getKey() + ":0", w.getValue(), v));
                    });
            out.add(new LayerWeights(layer.getKey(), tensors));
        }
        return out;
    }

    /**
     * The shape the TensorFlow transfer-learning tutorial saves: {@code Sequential([base, GlobalAveragePooling2D,
     * Dense(2)])} with the MobileNetV2 base nested as one layer. Weights of the base sit in the base's group.
     */
    static KerasConfigsFixture nestedSequential(MobileNetV2Config arch, List<LayerWeights> baseWeights, long seed) {
        ObjectNode base = arch.modelConfig();
        base.remove("keras_version");
        base.remove("backend");
        ObjectNode baseLayer = base.deepCopy();
        baseLayer.put("name", base.path("config").path("name").asText());

        ObjectNode seq = KerasConfigs.JSON.createObjectNode();
        seq.put("class_name", "Sequential");
        ObjectNode cfg = seq.putObject("config");
        cfg.put("name", "sequential");
        ArrayNode layers = cfg.putArray("layers");
        layers.add(baseLayer);
        ObjectNode gap = layers.addObject();
        gap.put("class_name", "GlobalAveragePooling2D");
        gap.putObject("config").put("name", "global_average_pooling2d").put("data_format", "channels_last");
        ObjectNode dense = layers.addObject();
        dense.put("class_name", "Dense");
        ObjectNode dc = dense.putObject("config");
        dc.put("name", "dense").put("units", 2).put("activation", "softmax").put("use_bias", true);
        dc.set("kernel_initializer", KerasConfigs.JSON.createObjectNode().put("class_name", "Zeros")
                .set("config", KerasConfigs.JSON.createObjectNode()));
        dc.set("bias_initializer", KerasConfigs.JSON.createObjectNode().put("class_name", "Zeros")
                .set("config", KerasConfigs.JSON.createObjectNode()));
        for (String k : List.of("kernel_regularizer", "bias_regularizer", "activity_regularizer",
                "kernel_constraint", "bias_constraint")) {
            dc.putNull(k);
        }

        List<Tensor> nestedTensors = new ArrayList<>();
        baseWeights.forEach(l -> nestedTensors.addAll(l.weights()));
        Random rnd = new Random(seed);
        int channels = arch.alpha() > 1.0 ? MobileNetV2Config.makeDivisible(1280 * arch.alpha(), 8) : 1280;
        float[] kernel = new float[channels * 2];
        for (int i = 0; i < kernel.length; i++) {
            kernel[i] = 0.05f * (float) rnd.nextGaussian();
        }
        List<LayerWeights> weights = List.of(
                new LayerWeights(baseLayer.get("name").asText(), nestedTensors),
                new LayerWeights("global_average_pooling2d", List.of()),
                new LayerWeights("dense", List.of(
                        new Tensor("dense/kernel:0", new long[]{channels, 2}, kernel),
                        new Tensor("dense/bias:0", new long[]{2}, new float[]{0.1f, -0.1f}))));
        return new KerasConfigsFixture(seq, weights);
    }

    record KerasConfigsFixture(ObjectNode modelConfig, List<LayerWeights> weights) {
    }
}
