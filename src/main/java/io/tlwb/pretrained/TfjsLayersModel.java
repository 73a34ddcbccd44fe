package io.tlwb.pretrained;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A TensorFlow.js "layers" model: a Keras topology plus its weights, dequantized to float32.
 *
 * <p>Two containers are read: a {@code model.json} folder (topology + manifest, with binary shards beside it), and
 * the UMD bundle nsfwjs ships ({@code model.min.js} exporting {@code {modelTopology, weightsManifest}} and
 * {@code group1-shard1of1.min.js} exporting the shard as a base64 string). The bundles are <em>parsed</em> as data,
 * never executed: the weights of a pinned package need no JavaScript runtime and no trust in its code.
 *
 * <p>Quantized weights ({@code uint8}/{@code uint16}) become {@code q * scale + min} rounded to float32, exactly
 * as {@code tf.io.decodeWeights} does; {@code float16} is widened.
 *
 * @param modelTopology the Keras topology: {@code keras_version}, {@code backend}, {@code model_config}
 * @param weights       every weight named {@code <layer>/<weight>} in manifest order
 */
record TfjsLayersModel(ObjectNode modelTopology, List<Tensor> weights) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Reads the nsfwjs UMD bundle: {@code model.min.js} and the single shard module beside it. */
    static TfjsLayersModel fromUmdBundle(String modelJs, String shardJs, String where) {
        JsonNode exports = umdExports(modelJs, "modelTopology", where);
        JsonNode manifest = exports.get("weightsManifest");
        if (manifest == null || !manifest.isArray() || manifest.size() != 1 || manifest.get(0).get("paths").size() != 1) {
            throw new WeightsException(where + ": expected one weights group with one shard in weightsManifest");
        }
        byte[] shard = base64Export(shardJs, where);
        return decode((ObjectNode) exports.get("modelTopology"), manifest, path -> shard, where);
    }

    /** Reads a {@code model.json} and the binary shards its manifest names (TF.js layers format). */
    static TfjsLayersModel fromModelJson(Path modelJson) {
        JsonNode root;
        try {
            root = JSON.readTree(modelJson.toFile());
        } catch (IOException e) {
            throw new WeightsException(modelJson + " is not valid JSON (" + KerasH5.oneLine(e)
                    + "): export it again with tensorflowjs_converter --output_format tfjs_layers_model", e);
        }
        JsonNode topology = root.get("modelTopology");
        JsonNode manifest = root.get("weightsManifest");
        if (topology == null || manifest == null || !topology.isObject()) {
            throw new WeightsException(modelJson + " has no modelTopology/weightsManifest: only TF.js layers models "
                    + "(format layers-model) are supported, not graph models");
        }
        Path dir = modelJson.toAbsolutePath().getParent();
        return decode((ObjectNode) topology, manifest, path -> {
            Path shard = dir.resolve(path);
            try {
                return Files.readAllBytes(shard);
            } catch (IOException e) {
                throw new WeightsException("weight shard " + shard + " named in " + modelJson
                        + " cannot be read: copy it next to model.json", e);
            }
        }, modelJson.toString());
    }

    interface ShardReader {
        byte[] read(String path);
    }

    private static TfjsLayersModel decode(ObjectNode topology, JsonNode manifest, ShardReader shards, String where) {
        if (!topology.has("model_config") && topology.has("class_name")) {
            // Older converters store the model config itself as the topology.
            ObjectNode wrapped = JSON.createObjectNode();
            wrapped.set("model_config", topology);
            topology = wrapped;
        }
        return new TfjsLayersModel(topology, decodeWeights(manifest, shards, where));
    }

    /**
     * Every weight of a TF.js {@code weightsManifest}, dequantized, in manifest order; each group's shards are
     * concatenated first (the layout of layers and graph models alike).
     */
    static List<Tensor> decodeWeights(JsonNode manifest, ShardReader shards, String where) {
        List<Tensor> tensors = new ArrayList<>();
        for (JsonNode group : manifest) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            for (JsonNode p : group.get("paths")) {
                bytes.writeBytes(shards.read(p.asText()));
            }
            ByteBuffer buf = ByteBuffer.wrap(bytes.toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
            for (JsonNode spec : group.get("weights")) {
                tensors.add(decodeOne(spec, buf, where));
            }
            if (buf.hasRemaining()) {
                throw new WeightsException(where + ": " + buf.remaining() + " bytes left over after the last weight "
                        + "of group " + group.get("paths") + "; the shard does not match the manifest");
            }
        }
        return tensors;
    }

    private static Tensor decodeOne(JsonNode spec, ByteBuffer buf, String where) {
        String name = spec.get("name").asText();
        JsonNode shapeNode = spec.get("shape");
        long[] shape = new long[shapeNode.size()];
        long n = 1;
        for (int i = 0; i < shape.length; i++) {
            shape[i] = shapeNode.get(i).asLong();
            n *= shape[i];
        }
        float[] out = new float[Math.toIntExact(n)];
        JsonNode q = spec.get("quantization");
        String dtype = q != null ? q.get("dtype").asText() : spec.path("dtype").asText("float32");
        int bytesPer = switch (dtype) {
            case "uint8", "bool" -> 1;
            case "uint16", "float16" -> 2;
            case "float32", "int32" -> 4;
            default -> throw new WeightsException(where + ": weight " + name + " has unsupported dtype " + dtype);
        };
        if (buf.remaining() < n * bytesPer) {
            throw new WeightsException(where + ": weight " + name + " needs " + n * bytesPer + " bytes but only "
                    + buf.remaining() + " remain: the shard is truncated, fetch it again");
        }
        if (q != null && !"float16".equals(dtype)) {
            double scale = q.get("scale").asDouble();
            double min = q.get("min").asDouble();
            for (int i = 0; i < n; i++) {
                int v = bytesPer == 1 ? Byte.toUnsignedInt(buf.get()) : Short.toUnsignedInt(buf.getShort());
                out[i] = (float) (v * scale + min);
            }
        } else {
            for (int i = 0; i < n; i++) {
                out[i] = switch (dtype) {
                    case "float16" -> halfToFloat(buf.getShort());
                    case "int32" -> buf.getInt();
                    case "bool", "uint8" -> Byte.toUnsignedInt(buf.get());
                    case "uint16" -> Short.toUnsignedInt(buf.getShort());
                    default -> buf.getFloat();
                };
            }
        }
        return new Tensor(name, shape, out);
    }

    /** The Keras model config (the {@code model_config} member of the topology). */
    ObjectNode modelConfig() {
        return (ObjectNode) modelTopology.get("model_config");
    }

    String kerasVersion() {
        return modelTopology.path("keras_version").asText("2.2.4");
    }

    String backend() {
        return modelTopology.path("backend").asText("tensorflow");
    }

    /**
     * The weights grouped per layer in the order Keras lists layers and, within a layer, weights
     * ({@code kernel, bias}; {@code gamma, beta, moving_mean, moving_variance}), renamed {@code <layer>/<w>:0}.
     */
    List<LayerWeights> layerWeights(List<String> layerOrder) {
        Map<String, List<Tensor>> byLayer = new LinkedHashMap<>();
        layerOrder.forEach(l -> byLayer.put(l, new ArrayList<>()));
        for (Tensor t : weights) {
            List<Tensor> list = byLayer.get(t.layer());
            if (list == null) {
                throw new WeightsException("weight " + t.name() + " belongs to no layer of the topology");
            }
            list.add(t.renamed(t.name() + ":0"));
        }
        List<LayerWeights> out = new ArrayList<>();
        byLayer.forEach((layer, list) -> {
            list.sort(Comparator.comparingInt(t -> KerasConfigs.weightRank(t.weight())));
            out.add(new LayerWeights(layer, list));
        });
        return out;
    }

    /** The object literal a UMD bundle exports, found by its first key; never executed. */
    static JsonNode umdExports(String js, String firstKey, String where) {
        int key = js.indexOf("{" + firstKey + ":");
        if (key < 0) {
            key = js.indexOf("{\"" + firstKey + "\":");
        }
        if (key < 0) {
            throw new WeightsException(where + " does not export {" + firstKey + ", ...}: is this an nsfwjs "
                    + "MobileNetV2 bundle (dist/models/mobilenet_v2*/model.min.js)?");
        }
        try {
            return JsLiteral.parse(js, key, null);
        } catch (IllegalArgumentException e) {
            throw new WeightsException(where + ": cannot read the exported object (" + e.getMessage() + ")", e);
        }
    }

    /** The base64 string a UMD shard module exports, decoded. */
    static byte[] base64Export(String js, String where) {
        int start = -1;
        for (String marker : new String[]{"exports=\"", "exports = \"", "exports='"}) {
            int i = js.indexOf(marker);
            if (i >= 0) {
                start = i + marker.length();
                break;
            }
        }
        int end = start < 0 ? -1 : js.indexOf(js.charAt(start - 1), start);
        if (start < 0 || end < 0) {
            throw new WeightsException(where + " does not export a base64 string: is this a group1-shard*.min.js?");
        }
        try {
            return Base64.getDecoder().decode(js.substring(start, end));
        } catch (IllegalArgumentException e) {
            throw new WeightsException(where + ": the exported weights are not valid base64 (" + e.getMessage() + ")");
        }
    }

    /** IEEE 754 binary16 to float32 (Java 17 has no Float.float16ToFloat). */
    static float halfToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            float v = mant * 0x1p-24f;
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }
}
