package io.tlwb.pretrained;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rewrites of Keras model configs so DL4J 1.0.0-M2.1 imports them: numeric fix-ups, and flattening of nested
 * models (a MobileNetV2 base inside a {@code Sequential} or functional model, DL4J issue #8162).
 */
final class KerasConfigs {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> MODEL_CLASSES = Set.of("Model", "Functional", "Sequential");
    private static final List<String> WEIGHT_ORDER = List.of(
            "kernel", "depthwise_kernel", "pointwise_kernel", "recurrent_kernel", "bias",
            "gamma", "beta", "moving_mean", "moving_variance", "alpha");

    private KerasConfigs() {
    }

    /** Position of a weight within its layer as Keras orders {@code layer.weights}. */
    static int weightRank(String weight) {
        int i = WEIGHT_ORDER.indexOf(weight);
        return i < 0 ? WEIGHT_ORDER.size() : i;
    }

    static ObjectNode parse(String json, String where) {
        try {
            return (ObjectNode) JSON.readTree(json);
        } catch (Exception e) {
            throw new WeightsException(where + ": model_config is not a JSON object (" + KerasH5.oneLine(e)
                    + "): save the model again with model.save('model.h5')", e);
        }
    }

    static boolean isModel(JsonNode layer) {
        return MODEL_CLASSES.contains(layer.path("class_name").asText());
    }

    /** True when some layer of {@code modelConfig} is itself a model. */
    static boolean hasNestedModel(JsonNode modelConfig) {
        for (JsonNode layer : layersOf(modelConfig)) {
            if (isModel(layer)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Fixes what DL4J's Keras import cannot read, in place: {@code ReLU.max_value} written as an int
     * (TF.js JSON says {@code 6}; {@code KerasReLU} casts it to Double and throws ClassCastException).
     * Returns true if anything changed.
     */
    static boolean normalize(JsonNode modelConfig) {
        boolean changed = false;
        for (JsonNode layer : layersOf(modelConfig)) {
            if (isModel(layer)) {
                changed |= normalize(layer);
                continue;
            }
            JsonNode cfg = layer.get("config");
            if ("ReLU".equals(layer.path("class_name").asText()) && cfg instanceof ObjectNode o) {
                JsonNode max = o.get("max_value");
                if (max != null && max.isIntegralNumber()) {
                    o.put("max_value", max.asDouble());
                    changed = true;
                }
            }
        }
        return changed;
    }

    /** The layer list of a model config: {@code config.layers}, or the bare list of old Sequential configs. */
    static List<JsonNode> layersOf(JsonNode modelConfig) {
        JsonNode cfg = modelConfig.get("config");
        JsonNode layers = cfg == null ? null : cfg.isArray() ? cfg : cfg.get("layers");
        List<JsonNode> out = new ArrayList<>();
        if (layers != null) {
            layers.forEach(out::add);
        }
        return out;
    }

    static List<String> layerNames(JsonNode modelConfig) {
        return layersOf(modelConfig).stream().map(KerasConfigs::nameOf).toList();
    }

    static String nameOf(JsonNode layer) {
        JsonNode n = layer.get("name");
        return n != null ? n.asText() : layer.path("config").path("name").asText();
    }

    /** A flattened model: a functional config without nested models, and its weights per (leaf) layer. */
    record Flat(ObjectNode modelConfig, List<LayerWeights> layers) {
    }

    /**
     * Inlines every nested model so that the result is one functional {@code Model} of plain layers. Weights of a
     * nested model (stored under the nested model's group, named {@code <inner layer>/<w>:0}) move to the groups of
     * the inner layers. Only nested models with one input and one output are supported.
     */
    static Flat flatten(JsonNode modelConfig, List<LayerWeights> weights, String where) {
        Map<String, List<Tensor>> pool = new LinkedHashMap<>();
        for (LayerWeights lw : weights) {
            pool.computeIfAbsent(lw.layer(), k -> new ArrayList<>()).addAll(lw.weights());
        }
        ObjectNode functional = toFunctional(modelConfig, where);
        ArrayNode outLayers = JSON.createArrayNode();
        Map<String, ArrayNode> alias = new HashMap<>();
        inline(functional, null, outLayers, alias, where);

        ObjectNode cfg = JSON.createObjectNode();
        cfg.put("name", functional.path("config").path("name").asText("model"));
        cfg.set("layers", outLayers);
        cfg.set("input_layers", remapRefs((ArrayNode) functional.path("config").get("input_layers"), alias));
        cfg.set("output_layers", remapRefs((ArrayNode) functional.path("config").get("output_layers"), alias));
        ObjectNode result = JSON.createObjectNode();
        result.put("class_name", "Model");
        result.set("config", cfg);

        // Distribute weights: a leaf layer's own group first, then weights named after it in a nested group.
        List<String> leafNames = new ArrayList<>();
        outLayers.forEach(l -> leafNames.add(nameOf(l)));
        Map<String, List<Tensor>> byLeaf = new LinkedHashMap<>();
        leafNames.forEach(n -> byLeaf.put(n, new ArrayList<>()));
        for (Map.Entry<String, List<Tensor>> e : pool.entrySet()) {
            for (Tensor t : e.getValue()) {
                String leaf = leafOf(t, e.getKey(), byLeaf);
                if (leaf == null) {
                    throw new WeightsException(where + ": weight " + t.name() + " (group " + e.getKey()
                            + ") matches no layer of the flattened model; re-save it with model.save()");
                }
                String weight = t.name().substring(t.name().lastIndexOf('/') + 1);
                byLeaf.get(leaf).add(t.renamed(leaf + "/" + weight));
            }
        }
        List<LayerWeights> out = new ArrayList<>();
        byLeaf.forEach((k, v) -> out.add(new LayerWeights(k, v)));
        return new Flat(result, out);
    }

    private static String leafOf(Tensor t, String group, Map<String, List<Tensor>> leaves) {
        String[] parts = t.name().split("/");
        for (int i = parts.length - 2; i >= 0; i--) {
            if (leaves.containsKey(parts[i])) {
                return parts[i];
            }
        }
        return leaves.containsKey(group) ? group : null;
    }

    /** Appends the plain layers of {@code model} to {@code out}; {@code feed} replaces its input layer. */
    private static ArrayNode inline(ObjectNode model, ArrayNode feed, ArrayNode out, Map<String, ArrayNode> alias,
                                    String where) {
        JsonNode cfg = model.get("config");
        List<String> inputs = new ArrayList<>();
        cfg.path("input_layers").forEach(r -> inputs.add(r.get(0).asText()));
        if (feed != null) {
            if (inputs.size() != 1 || cfg.path("output_layers").size() != 1) {
                throw new WeightsException(where + ": nested model '" + cfg.path("name").asText() + "' has "
                        + inputs.size() + " inputs and " + cfg.path("output_layers").size()
                        + " outputs; only one of each can be flattened");
            }
            alias.put(inputs.get(0), feed);
        }
        for (JsonNode layerNode : cfg.get("layers")) {
            ObjectNode layer = layerNode.deepCopy();
            String name = nameOf(layer);
            if (feed != null && inputs.contains(name)) {
                continue; // the nested model's InputLayer disappears; its consumers read `feed`
            }
            ArrayNode inbound = remapInbound((ArrayNode) layer.get("inbound_nodes"), alias);
            if (isModel(layer)) {
                ObjectNode inner = toFunctional(layer, where);
                ArrayNode src = inbound == null || inbound.isEmpty() ? null : (ArrayNode) inbound.get(0).get(0);
                ArrayNode innerOut = inline(inner, src, out, alias, where);
                alias.put(name, innerOut);
                continue;
            }
            for (JsonNode existing : out) {
                if (nameOf(existing).equals(name)) {
                    throw new WeightsException(where + ": two layers are named '" + name
                            + "' once the nested model is flattened; rename one and save again");
                }
            }
            if (inbound != null) {
                layer.set("inbound_nodes", inbound);
            }
            out.add(layer);
        }
        ArrayNode outputs = remapRefs((ArrayNode) cfg.get("output_layers"), alias);
        return outputs.isEmpty() ? null : (ArrayNode) outputs.get(0);
    }

    private static ArrayNode remapInbound(ArrayNode inbound, Map<String, ArrayNode> alias) {
        if (inbound == null) {
            return null;
        }
        ArrayNode nodes = JSON.createArrayNode();
        for (JsonNode node : inbound) {
            ArrayNode refs = JSON.createArrayNode();
            for (JsonNode ref : node) {
                ArrayNode r = ref.deepCopy();
                ArrayNode target = alias.get(r.get(0).asText());
                if (target != null) {
                    r.set(0, target.get(0));
                    r.set(1, target.get(1));
                    r.set(2, target.get(2));
                }
                refs.add(r);
            }
            nodes.add(refs);
        }
        return nodes;
    }

    private static ArrayNode remapRefs(ArrayNode refs, Map<String, ArrayNode> alias) {
        ArrayNode out = JSON.createArrayNode();
        if (refs == null) {
            return out;
        }
        for (JsonNode ref : refs) {
            ArrayNode r = ref.deepCopy();
            ArrayNode target = alias.get(r.get(0).asText());
            if (target != null) {
                r.set(0, target.get(0));
                r.set(1, target.get(1));
                r.set(2, target.get(2));
            }
            out.add(r);
        }
        return out;
    }

    /** A functional ({@code Model}) view of a Sequential or functional config; Sequential layers are chained. */
    static ObjectNode toFunctional(JsonNode modelConfig, String where) {
        String cls = modelConfig.path("class_name").asText();
        if (!"Sequential".equals(cls)) {
            ObjectNode copy = modelConfig.deepCopy();
            copy.put("class_name", "Model");
            return copy;
        }
        List<JsonNode> layers = layersOf(modelConfig);
        if (layers.isEmpty()) {
            throw new WeightsException(where + ": Sequential model has no layers");
        }
        String modelName = modelConfig.path("config").path("name").asText("sequential");
        ArrayNode out = JSON.createArrayNode();
        String prev;
        int start = 0;
        JsonNode first = layers.get(0);
        if ("InputLayer".equals(first.path("class_name").asText())) {
            ObjectNode in = first.deepCopy();
            in.put("name", nameOf(first));
            in.set("inbound_nodes", JSON.createArrayNode());
            out.add(in);
            prev = nameOf(first);
            start = 1;
        } else {
            JsonNode shape = first.path("config").get("batch_input_shape");
            if (shape == null && isModel(first)) {
                shape = firstInputShape(first);
            }
            if (shape == null) {
                throw new WeightsException(where + ": Sequential model '" + modelName
                        + "' does not declare an input shape; build it with an Input layer and save again");
            }
            ObjectNode in = JSON.createObjectNode();
            prev = modelName + "_input";
            in.put("name", prev);
            in.put("class_name", "InputLayer");
            ObjectNode c = in.putObject("config");
            c.set("batch_input_shape", shape);
            c.put("dtype", "float32");
            c.put("sparse", false);
            c.put("name", prev);
            in.set("inbound_nodes", JSON.createArrayNode());
            out.add(in);
        }
        for (int i = start; i < layers.size(); i++) {
            ObjectNode l = layers.get(i).deepCopy();
            String name = nameOf(l);
            l.put("name", name);
            ArrayNode ref = JSON.createArrayNode().add(prev).add(0).add(0).add(JSON.createObjectNode());
            l.set("inbound_nodes", JSON.createArrayNode().add(JSON.createArrayNode().add(ref)));
            out.add(l);
            prev = name;
        }
        ObjectNode result = JSON.createObjectNode();
        result.put("class_name", "Model");
        ObjectNode cfg = result.putObject("config");
        cfg.put("name", modelName);
        cfg.set("layers", out);
        cfg.set("input_layers", JSON.createArrayNode().add(JSON.createArrayNode().add(nameOf(out.get(0))).add(0).add(0)));
        cfg.set("output_layers", JSON.createArrayNode().add(JSON.createArrayNode().add(prev).add(0).add(0)));
        return result;
    }

    private static JsonNode firstInputShape(JsonNode model) {
        for (JsonNode l : layersOf(model)) {
            JsonNode s = l.path("config").get("batch_input_shape");
            if (s != null) {
                return s;
            }
        }
        return null;
    }

    /** The square input size of the first input layer ({@code batch_input_shape [null, H, W, C]}), or fallback. */
    static int inputSize(JsonNode modelConfig, int fallback) {
        for (JsonNode layer : layersOf(modelConfig)) {
            JsonNode shape = layer.path("config").get("batch_input_shape");
            if (shape != null && shape.size() == 4 && shape.get(1).isNumber()) {
                return shape.get(1).asInt();
            }
            if (isModel(layer)) {
                return inputSize(layer, fallback);
            }
        }
        return fallback;
    }
}
