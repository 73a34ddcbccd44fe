package io.tlwb.pretrained;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A TensorFlow.js "graph" model: a frozen TensorFlow GraphDef (its nodes) plus the values of its {@code Const}
 * nodes, dequantized to float32 like a layers model's weights.
 *
 * <p>Read from the UMD bundle nsfwjs ships ({@code model.min.js} exporting
 * {@code {format, modelTopology: {node: [...]}, weightsManifest}} and one {@code group1-shardNofM.min.js} per shard,
 * each exporting a base64 string), parsed as data and never executed.
 *
 * @param nodes     the GraphDef nodes in file order ({@code name}, {@code op}, {@code input}, {@code attr})
 * @param constants the weights by node name
 */
record TfjsGraphModel(List<JsonNode> nodes, Map<String, Tensor> constants) {

    /** Reads the bundle: {@code model.min.js} and its shard modules in manifest order. */
    static TfjsGraphModel fromUmdBundle(String modelJs, List<String> shardJs, String where) {
        JsonNode exports = TfjsLayersModel.umdExports(modelJs, "format", where);
        if (!"graph-model".equals(exports.path("format").asText())) {
            throw new WeightsException(where + " is a TF.js '" + exports.path("format").asText()
                    + "' bundle, not a graph-model: is this dist/models/mobilenet_v2_mid/model.min.js?");
        }
        JsonNode manifest = exports.get("weightsManifest");
        JsonNode node = exports.path("modelTopology").get("node");
        if (manifest == null || !manifest.isArray() || manifest.size() != 1 || node == null || !node.isArray()) {
            throw new WeightsException(where + ": expected modelTopology.node and one weights group in "
                    + "weightsManifest; is this dist/models/mobilenet_v2_mid/model.min.js?");
        }
        JsonNode paths = manifest.get(0).get("paths");
        if (paths == null || paths.size() != shardJs.size()) {
            throw new WeightsException(where + ": the manifest names " + (paths == null ? 0 : paths.size())
                    + " shards but " + shardJs.size() + " were given");
        }
        List<String> order = new ArrayList<>();
        paths.forEach(p -> order.add(p.asText()));
        List<Tensor> tensors = TfjsLayersModel.decodeWeights(manifest, path -> TfjsLayersModel.base64Export(
                shardJs.get(order.indexOf(path)), where + " shard " + path), where);
        Map<String, Tensor> constants = new LinkedHashMap<>();
        tensors.forEach(t -> constants.put(t.name(), t));
        List<JsonNode> nodes = new ArrayList<>();
        node.forEach(nodes::add);
        return new TfjsGraphModel(nodes, constants);
    }
}
