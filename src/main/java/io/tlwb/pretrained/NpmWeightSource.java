package io.tlwb.pretrained;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tlwb.Hashes;
import io.tlwb.Workspace;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * {@code npm:nsfwjs@VERSION[#mobilenet_v2_mid]}: a MobileNetV2 that nsfwjs ships as a TF.js bundle, fetched with the
 * npm client ({@code npm pack}, so whatever registry and proxy npm is configured with), converted to a Keras 2.2.4
 * HDF5 full model (including its 5-class softmax top) and cached as {@code npm-nsfwjs-VERSION[-MODEL].h5}.
 *
 * <p>Two models of the package are supported: {@code dist/models/mobilenet_v2} (the default; a Keras layers model,
 * alpha 1.0, fed pixels divided by 255, hence {@link Preprocessing#ZERO_TO_ONE}) and
 * {@code dist/models/mobilenet_v2_mid} (a TF-Hub graph model, alpha 1.4, batch norm folded; its own first nodes map
 * [0,1] to [-1,1], which the conversion drops in favour of {@link Preprocessing#MINUS_ONE_TO_ONE}).
 */
final class NpmWeightSource implements WeightSource {

    /**
     * Where both nsfwjs MobileNetV2s are cut by default: below their blocks fine-tuned on NSFW data. Measured 5-8
     * points more accurate than the Keras one's bottleneck on real photos, and 15 points more than the TF-Hub one's
     * on the demo photos (README).
     */
    static final String DEFAULT_CUT = "block_13_expand_relu";
    /** The nsfwjs model converted: its folder under {@code dist/models}, bundle files and the sha256s we checked. */
    enum Model {
        MOBILENET_V2("mobilenet_v2", List.of("model.min.js", "group1-shard1of1.min.js"), Map.of("4.4.0", List.of(
                "c32f104fd562b08cdff5ed69dfe1209643afa47e792fb12751d2949aa61a397a",
                "ef2e0a63f7d2c4960b37b024b669313f65d3c45cd59e9042636c55b39de53517")), Preprocessing.ZERO_TO_ONE),
        MOBILENET_V2_MID("mobilenet_v2_mid",
                List.of("model.min.js", "group1-shard1of2.min.js", "group1-shard2of2.min.js"), Map.of("4.4.0", List.of(
                "a7a9e701491e2449b221dab7c424957f853e700602b5575da33cfd745616f964",
                "f2e79a209e44d668220ec5f1533a98f2be954e3953685bf074d201b82fefc29a",
                "f291df992a0131741372506a6072fb9f1645bff7c973c983fd6276f5f9625d5e")), Preprocessing.MINUS_ONE_TO_ONE);

        final String folder;
        /** Tarball paths: {@code model.min.js} first, then the shards in manifest order. */
        final List<String> files;
        /** Per nsfwjs version, the sha256 of each of {@link #files} (the package is immutable on npm). */
        final Map<String, List<String>> pinned;
        final Preprocessing preprocessing;

        Model(String folder, List<String> files, Map<String, List<String>> pinned, Preprocessing preprocessing) {
            this.folder = folder;
            this.files = files.stream().map(f -> "package/dist/models/" + folder + "/" + f).toList();
            this.pinned = pinned;
            this.preprocessing = preprocessing;
        }
    }

    private static final Pattern SPEC = Pattern.compile("npm:nsfwjs@(\\d+\\.\\d+\\.\\d+)(?:#(mobilenet_v2_mid))?");
    private static final long NPM_TIMEOUT_MINUTES = 10;

    private final String version;
    private final Model model;
    private final String npmCommand;

    NpmWeightSource(String version, Model model, String npmCommand) {
        this.version = version;
        this.model = model;
        this.npmCommand = npmCommand;
    }

    /** Parses {@code npm:nsfwjs@X.Y.Z[#mobilenet_v2_mid]}; null if {@code spec} is not an npm spec. */
    static NpmWeightSource parse(String spec, String npmCommand) {
        if (!spec.startsWith("npm:")) {
            return null;
        }
        Matcher m = SPEC.matcher(spec);
        if (!m.matches()) {
            throw new WeightsException("unsupported npm weights '" + spec + "': the npm source knows nsfwjs only, "
                    + "as npm:nsfwjs@X.Y.Z or npm:nsfwjs@X.Y.Z#mobilenet_v2_mid (e.g. " + WeightSources.DEFAULT_SPEC
                    + ")");
        }
        return new NpmWeightSource(m.group(1), m.group(2) == null ? Model.MOBILENET_V2 : Model.MOBILENET_V2_MID,
                npmCommand);
    }

    @Override
    public String spec() {
        return "npm:nsfwjs@" + version + (model == Model.MOBILENET_V2 ? "" : "#" + model.folder);
    }

    @Override
    public Preprocessing preprocessing() {
        return model.preprocessing;
    }

    @Override
    public Optional<String> cacheEntry() {
        return Optional.of(cacheName());
    }

    String cacheName() {
        return "npm-nsfwjs-" + version + (model == Model.MOBILENET_V2 ? "" : "-" + model.folder) + ".h5";
    }

    @Override
    public WeightsFile fetch(Workspace workspace) {
        WeightCache cache = new WeightCache(workspace.weightsCacheDir());
        return cache.lookup(cacheName(), "weights fetch --force " + spec())
                .orElseGet(() -> download(cache));
    }

    WeightsFile download(WeightCache cache) {
        Path tmp;
        try {
            tmp = Files.createTempDirectory("tlwb-npm-");
        } catch (IOException e) {
            throw new WeightsException("cannot create a temp folder for npm pack (" + KerasH5.oneLine(e)
                    + "): check java.io.tmpdir", e);
        }
        try {
            Path tarball = npmPack(tmp);
            return convert(cache, tarball.getFileName().toString(), extract(tarball, model.files));
        } finally {
            deleteTree(tmp);
        }
    }

    /** Checks the bundle files of a tarball against the pins, converts them and stores the result in the cache. */
    WeightsFile convert(WeightCache cache, String tarball, Map<String, byte[]> files) {
        List<String> pinned = model.pinned.get(version);
        ObjectNode prov = KerasConfigs.JSON.createObjectNode();
        prov.put("spec", spec());
        prov.put("source", "npm pack nsfwjs@" + version + " (MIT licence)");
        prov.put("tarball", tarball);
        List<String> text = new ArrayList<>();
        for (int i = 0; i < model.files.size(); i++) {
            String name = model.files.get(i);
            String actual = Hashes.sha256(files.get(name));
            if (pinned != null && !pinned.get(i).equals(actual)) {
                throw new WeightsException(tarball + "!" + name + " has sha256 " + actual + " but nsfwjs " + version
                        + " is pinned to " + pinned.get(i) + ": the package is not the one we checked; nothing was "
                        + "cached");
            }
            prov.put("sha256:" + name, actual);
            text.add(new String(files.get(name), StandardCharsets.UTF_8));
        }
        String where = tarball + "!" + model.files.get(0);
        WeightCache.Producer producer;
        if (model == Model.MOBILENET_V2) {
            TfjsLayersModel tfjs = TfjsLayersModel.fromUmdBundle(text.get(0), text.get(1), where);
            prov.put("converted", "TF.js layers (uint8-quantized) -> Keras 2.2.4 HDF5 full model by tlwb");
            producer = file -> TfjsConversion.writeFullModel(tfjs, file);
        } else {
            TfjsGraphModel tfjs = TfjsGraphModel.fromUmdBundle(text.get(0), text.subList(1, text.size()), where);
            prov.put("converted", "TF.js graph model (uint8-quantized, batch norm folded) -> Keras 2.2.4 HDF5 full "
                    + "model by tlwb (hub_input x*2-1 dropped: preprocessing minus-one-to-one)");
            producer = file -> TfjsGraphConversion.writeFullModel(tfjs, file, where);
        }
        prov.put("createdAt", Instant.now().toString());
        return cache.store(cacheName(), null, prov.toPrettyString(), producer, "npm pack nsfwjs@" + version);
    }

    private Path npmPack(Path dir) {
        String pkg = "nsfwjs@" + version;
        ProcessBuilder pb = new ProcessBuilder(npmCommand, "pack", pkg, "--ignore-scripts", "--json")
                .directory(dir.toFile())
                .redirectOutput(dir.resolve(".npm-stdout").toFile())
                .redirectError(dir.resolve(".npm-stderr").toFile());
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new WeightsException("cannot run the npm client '" + npmCommand + "' to fetch " + pkg + " ("
                    + KerasH5.oneLine(e) + "): install Node.js with npm (apt-get install npm) or point -D"
                    + WeightSources.NPM_PROPERTY + " at the npm executable", e);
        }
        try {
            if (!p.waitFor(NPM_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new WeightsException("npm pack " + pkg + " did not finish in " + NPM_TIMEOUT_MINUTES
                        + " minutes: check network access to your npm registry (npm config get registry)");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new WeightsException("interrupted while running npm pack " + pkg, e);
        }
        if (p.exitValue() != 0) {
            throw new WeightsException("npm pack " + pkg + " failed with exit code " + p.exitValue() + " ("
                    + lastErrorLine(dir.resolve(".npm-stderr")) + "): check the version exists and that npm "
                    + "can reach its registry (npm config get registry)");
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(f -> f.getFileName().toString().endsWith(".tgz")).findFirst()
                    .orElseThrow(() -> new WeightsException("npm pack " + pkg + " succeeded but wrote no .tgz into "
                            + dir + ": check your npm version (npm --version, 7 or newer)"));
        } catch (IOException e) {
            throw new WeightsException("cannot list " + dir + " (" + KerasH5.oneLine(e) + ")", e);
        }
    }

    private static String lastErrorLine(Path stderr) {
        try {
            List<String> lines = Files.readAllLines(stderr, StandardCharsets.UTF_8).stream()
                    .map(String::strip).filter(l -> !l.isEmpty()).toList();
            String err = lines.stream().filter(l -> l.contains("ERR") || l.contains("error")).findFirst()
                    .orElse(lines.isEmpty() ? "no output" : lines.get(lines.size() - 1));
            return err.length() > 200 ? err.substring(0, 200) + "..." : err;
        } catch (IOException e) {
            return "no output";
        }
    }

    /** Reads the named entries of a .tgz (ustar, as npm writes it) into memory. */
    static Map<String, byte[]> extract(Path tgz, List<String> wanted) {
        Map<String, byte[]> out = new HashMap<>();
        try (InputStream in = new BufferedInputStream(new GZIPInputStream(Files.newInputStream(tgz), 1 << 16))) {
            byte[] header = new byte[512];
            String longName = null;
            while (out.size() < wanted.size()) {
                if (in.readNBytes(header, 0, 512) < 512) {
                    break;
                }
                if (header[0] == 0) {
                    break; // end-of-archive block
                }
                String name = longName != null ? longName : tarString(header, 0, 100);
                longName = null;
                String prefix = tarString(header, 345, 155);
                if (!prefix.isEmpty()) {
                    name = prefix + "/" + name;
                }
                long size = Long.parseLong(tarString(header, 124, 12).trim().isEmpty() ? "0"
                        : tarString(header, 124, 12).trim(), 8);
                char type = (char) header[156];
                long padded = (size + 511) / 512 * 512;
                if (type == 'x' || type == 'L') {
                    byte[] meta = in.readNBytes((int) size);
                    in.skipNBytes(padded - size);
                    longName = type == 'L' ? new String(meta, StandardCharsets.UTF_8).replace("\0", "")
                            : paxPath(new String(meta, StandardCharsets.UTF_8));
                    continue;
                }
                if (wanted.contains(name) && (type == '0' || type == 0)) {
                    out.put(name, in.readNBytes((int) size));
                    in.skipNBytes(padded - size);
                } else {
                    in.skipNBytes(padded);
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new WeightsException(tgz + " is not a readable npm tarball (" + KerasH5.oneLine(e)
                    + "): delete it and fetch again", e);
        }
        for (String w : wanted) {
            if (!out.containsKey(w)) {
                throw new WeightsException(tgz + " has no " + w + ": this nsfwjs version does not ship that "
                        + "MobileNetV2 bundle; use " + WeightSources.NSFWJS_SPEC + " or " + WeightSources.MID_SPEC);
            }
        }
        return out;
    }

    private static String paxPath(String records) {
        for (String rec : records.split("\n")) {
            int eq = rec.indexOf(" path=");
            if (eq >= 0) {
                return rec.substring(eq + 6);
            }
        }
        return null;
    }

    private static String tarString(byte[] h, int off, int len) {
        int end = off;
        while (end < off + len && h[end] != 0) {
            end++;
        }
        return new String(h, off, end - off, StandardCharsets.UTF_8);
    }

    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // temp folder: best effort
        }
    }

    @Override
    public PretrainedModel load(Workspace workspace) {
        WeightsFile f = fetch(workspace);
        ComputationGraph graph = KerasImport.fullModel(f.file());
        String cut = graph.getConfiguration().getVertices().containsKey(DEFAULT_CUT) ? DEFAULT_CUT
                : MobileNetV2Config.BOTTLENECK;
        return new PretrainedModel(spec(), graph, f.file(), f.sha256(), 224, preprocessing(),
                MobileNetV2Config.BOTTLENECK, cut);
    }

    @Override
    public String toString() {
        return spec();
    }
}
