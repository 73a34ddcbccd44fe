package io.tlwb.pretrained;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tlwb.Hashes;
import io.tlwb.Workspace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * A local file: a Keras {@code .h5} full model, a weights-only MobileNetV2 {@code .h5}, or a TF.js layers model
 * ({@code model.json} or its folder). Files DL4J imports as they are are used in place; files that need rewriting
 * (TF.js, nested models, int-valued ReLU {@code max_value}) are converted once into the cache, keyed by the sha256
 * of their source.
 */
final class PathWeightSource implements WeightSource {
    private static final Set<String> OPTIONS = Set.of("alpha", "size", "preprocessing", "cut");
    private static final Pattern KERAS_FILE_NAME = Pattern.compile(".*_(\\d\\.\\d+)_(\\d+)(?:_no_top)?\\.h5");

    private final String spec;
    private final Path path;
    private final Map<String, String> options;

    PathWeightSource(String spec, Path path, Map<String, String> options) {
        this.spec = spec;
        this.path = path.toAbsolutePath().normalize();
        this.options = options;
    }

    static PathWeightSource parse(String spec) {
        int hash = spec.lastIndexOf('#');
        String p = hash < 0 ? spec : spec.substring(0, hash);
        Map<String, String> opts = new LinkedHashMap<>();
        if (hash >= 0) {
            for (String kv : spec.substring(hash + 1).split(",")) {
                int eq = kv.indexOf('=');
                String k = eq < 0 ? kv.strip() : kv.substring(0, eq).strip();
                if (eq < 0 || !OPTIONS.contains(k)) {
                    throw new WeightsException("bad option '" + kv + "' in --weights " + spec + ": expected "
                            + "PATH#key=value,... with keys " + OPTIONS);
                }
                opts.put(k, kv.substring(eq + 1).strip());
            }
        }
        Path path = Path.of(p);
        if (!Files.exists(path)) {
            throw new WeightsException("--weights " + spec + ": " + path.toAbsolutePath() + " does not exist; use "
                    + WeightSources.DEFAULT_SPEC + ", keras:mobilenet_v2_<alpha>_<size>, a .h5 file or a "
                    + "TF.js model.json folder");
        }
        return new PathWeightSource(spec, path, opts);
    }

    @Override
    public String spec() {
        return spec;
    }

    @Override
    public Preprocessing preprocessing() {
        String p = options.getOrDefault("preprocessing", Preprocessing.MINUS_ONE_TO_ONE.name());
        try {
            return Preprocessing.named(p);
        } catch (IllegalArgumentException e) {
            throw new WeightsException("--weights " + spec + ": " + e.getMessage());
        }
    }

    private Path modelJson() {
        if (Files.isDirectory(path)) {
            Path json = path.resolve("model.json");
            if (!Files.isRegularFile(json)) {
                throw new WeightsException(path + " is a folder without model.json: point --weights at a .h5 file "
                        + "or a TF.js layers model folder");
            }
            return json;
        }
        return path.getFileName().toString().endsWith(".json") ? path : null;
    }

    @Override
    public WeightsFile fetch(Workspace workspace) {
        return resolve(workspace).file;
    }

    private record Resolved(WeightsFile file, boolean weightsOnly, MobileNetV2Config arch, int inputSize) {
    }

    private Resolved resolve(Workspace workspace) {
        WeightCache cache = new WeightCache(workspace.weightsCacheDir());
        Path json = modelJson();
        if (json != null) {
            TfjsLayersModel tfjs = TfjsLayersModel.fromModelJson(json);
            String name = "path-" + sourceKey(json, tfjs) + "-" + json.getParent().getFileName() + ".h5";
            WeightsFile f = cache.lookup(name, "weights fetch --force " + spec)
                    .orElseGet(() -> cache.store(name, null, provenance("TF.js layers model " + json),
                            tmp -> TfjsConversion.writeFullModel(tfjs, tmp), json.toString()));
            return new Resolved(f, false, null, KerasConfigs.inputSize(tfjs.modelConfig(), fallbackSize()));
        }
        KerasH5.Contents contents = KerasH5.read(path);
        if (contents.weightsOnly()) {
            MobileNetV2Config arch = architecture(contents);
            return new Resolved(new WeightsFile(path, WeightCache.sha256(path)), true, arch, arch.size());
        }
        ObjectNode config = KerasConfigs.parse(contents.modelConfig(), path.toString());
        boolean nested = KerasConfigs.hasNestedModel(config);
        boolean fixed = KerasConfigs.normalize(config.deepCopy());
        String sha = WeightCache.sha256(path);
        if (!nested && !fixed) {
            return new Resolved(new WeightsFile(path, sha), false, null, KerasConfigs.inputSize(config, fallbackSize()));
        }
        String name = "path-" + sha.substring(0, 16) + "-" + path.getFileName();
        WeightsFile f = cache.lookup(name, "weights fetch --force " + spec).orElseGet(() -> cache.store(name, null,
                provenance((nested ? "flattened nested model " : "DL4J fix-ups of ") + path + " (sha256 " + sha + ")"),
                tmp -> {
                    ObjectNode cfg = config;
                    List<LayerWeights> layers = contents.layers();
                    if (nested) {
                        KerasConfigs.Flat flat = KerasConfigs.flatten(cfg, layers, path.toString());
                        cfg = flat.modelConfig();
                        layers = flat.layers();
                    }
                    KerasConfigs.normalize(cfg);
                    KerasH5.writeModel(tmp, contents.kerasVersion() == null ? "2.2.4" : contents.kerasVersion(),
                            contents.backend() == null ? "tensorflow" : contents.backend(), cfg.toString(), layers);
                }, path.toString()));
        return new Resolved(f, false, null, KerasConfigs.inputSize(config, fallbackSize()));
    }

    private int fallbackSize() {
        return options.containsKey("size") ? Integer.parseInt(options.get("size")) : 224;
    }

    private String provenance(String what) {
        ObjectNode prov = KerasConfigs.JSON.createObjectNode();
        prov.put("spec", spec);
        prov.put("source", what);
        prov.put("createdAt", Instant.now().toString());
        return prov.toPrettyString();
    }

    /** alpha/size from options, else alpha from the weight shapes and size from the Keras file name (or 224). */
    private MobileNetV2Config architecture(KerasH5.Contents contents) {
        Matcher m = KERAS_FILE_NAME.matcher(path.getFileName().toString());
        Double alpha = options.containsKey("alpha") ? Double.valueOf(options.get("alpha")) : inferAlpha(contents);
        int size = options.containsKey("size") ? Integer.parseInt(options.get("size"))
                : m.matches() ? Integer.parseInt(m.group(2)) : 224;
        if (alpha == null) {
            throw new WeightsException(path + " is a weights-only file whose layers do not match any MobileNetV2 "
                    + "alpha: only MobileNetV2 weights can be loaded without a config; save the full model with "
                    + "model.save() instead, or name it with " + path.getFileName() + "#alpha=A,size=S");
        }
        return new MobileNetV2Config(alpha, size);
    }

    private static Double inferAlpha(KerasH5.Contents contents) {
        Map<String, LayerWeights> layers = contents.byLayer();
        for (double alpha : MobileNetV2Config.ALPHAS) {
            var expected = new MobileNetV2Config(alpha, 224).weightShapes();
            boolean all = true;
            for (var e : expected.entrySet()) {
                for (var w : e.getValue().entrySet()) {
                    LayerWeights lw = layers.get(e.getKey());
                    if (lw == null || lw.weights().stream().noneMatch(t -> t.weight().equals(w.getKey())
                            && java.util.Arrays.equals(t.shape(), w.getValue()))) {
                        all = false;
                        break;
                    }
                }
                if (!all) {
                    break;
                }
            }
            if (all) {
                return alpha;
            }
        }
        return null;
    }

    private static String sourceKey(Path modelJson, TfjsLayersModel tfjs) {
        try {
            MessageDigest md = Hashes.sha256();
            md.update(Files.readAllBytes(modelJson));
            for (Tensor t : tfjs.weights()) {
                md.update(t.name().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(t.data().length * 4);
                b.asFloatBuffer().put(t.data());
                md.update(b);
            }
            return Hashes.hex(md).substring(0, 16);
        } catch (IOException e) {
            throw new WeightsException("cannot read " + modelJson + " (" + KerasH5.oneLine(e) + ")", e);
        }
    }

    @Override
    public PretrainedModel load(Workspace workspace) {
        Resolved r = resolve(workspace);
        String cut = options.getOrDefault("cut", MobileNetV2Config.BOTTLENECK);
        if (r.weightsOnly()) {
            return KerasApplicationsWeightSource.importWithConfig(spec, r.arch(), r.file(), preprocessing());
        }
        ComputationGraph graph = KerasImport.fullModel(r.file().file());
        if (graph.getConfiguration().getVertices().get(cut) == null) {
            throw new WeightsException(path + " has no layer '" + cut + "' to cut at: name the bottleneck layer "
                    + "with --weights " + path + "#cut=<layer> (see `weights info`)");
        }
        return new PretrainedModel(spec, graph, r.file().file(), r.file().sha256(), r.inputSize(), preprocessing(),
                cut);
    }

    @Override
    public String toString() {
        return spec;
    }
}
