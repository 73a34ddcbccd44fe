package io.tlwb.pretrained;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tlwb.Workspace;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * {@code npm:nsfwjs@VERSION}: the MobileNetV2 that nsfwjs ships as a TF.js bundle, fetched with the npm client
 * ({@code npm pack}, so whatever registry and proxy npm is configured with), converted to a Keras 2.2.4 HDF5
 * full model (including its 5-class softmax top) and cached as {@code npm-nsfwjs-VERSION.h5}.
 *
 * <p>nsfwjs feeds this model pixels divided by 255, hence {@link Preprocessing#ZERO_TO_ONE}.
 */
final class NpmWeightSource implements WeightSource {
    static final String MODEL_JS = "package/dist/models/mobilenet_v2/model.min.js";
    static final String SHARD_JS = "package/dist/models/mobilenet_v2/group1-shard1of1.min.js";
    /** sha256 of the two bundle files per nsfwjs version we have checked (the package is immutable on npm). */
    static final Map<String, Map<String, String>> PINNED = Map.of("4.4.0", Map.of(
            MODEL_JS, "c32f104fd562b08cdff5ed69dfe1209643afa47e792fb12751d2949aa61a397a",
            SHARD_JS, "ef2e0a63f7d2c4960b37b024b669313f65d3c45cd59e9042636c55b39de53517"));
    private static final Pattern SPEC = Pattern.compile("npm:nsfwjs@(\\d+\\.\\d+\\.\\d+)");
    private static final long NPM_TIMEOUT_MINUTES = 10;

    private final String version;
    private final String npmCommand;

    NpmWeightSource(String version, String npmCommand) {
        this.version = version;
        this.npmCommand = npmCommand;
    }

    /** Parses {@code npm:nsfwjs@X.Y.Z}; null if {@code spec} is not an npm spec. */
    static NpmWeightSource parse(String spec, String npmCommand) {
        if (!spec.startsWith("npm:")) {
            return null;
        }
        Matcher m = SPEC.matcher(spec);
        if (!m.matches()) {
            throw new WeightsException("unsupported npm weights '" + spec + "': the npm source knows nsfwjs only, "
                    + "as npm:nsfwjs@X.Y.Z (e.g. " + WeightSources.DEFAULT_SPEC + ")");
        }
        return new NpmWeightSource(m.group(1), npmCommand);
    }

    @Override
    public String spec() {
        return "npm:nsfwjs@" + version;
    }

    @Override
    public Preprocessing preprocessing() {
        return Preprocessing.ZERO_TO_ONE;
    }

    String cacheName() {
        return "npm-nsfwjs-" + version + ".h5";
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
            Map<String, byte[]> files = extract(tarball, List.of(MODEL_JS, SHARD_JS));
            Map<String, String> pinned = PINNED.get(version);
            Map<String, String> actual = new HashMap<>();
            for (var e : files.entrySet()) {
                actual.put(e.getKey(), WeightCache.sha256(e.getValue()));
                if (pinned != null && !pinned.get(e.getKey()).equals(actual.get(e.getKey()))) {
                    throw new WeightsException(tarball.getFileName() + "!" + e.getKey() + " has sha256 "
                            + actual.get(e.getKey()) + " but nsfwjs " + version + " is pinned to "
                            + pinned.get(e.getKey()) + ": the package is not the one we checked; nothing was cached");
                }
            }
            TfjsLayersModel tfjs = TfjsLayersModel.fromUmdBundle(
                    new String(files.get(MODEL_JS), StandardCharsets.UTF_8),
                    new String(files.get(SHARD_JS), StandardCharsets.UTF_8), tarball.getFileName() + "!" + MODEL_JS);
            ObjectNode prov = KerasConfigs.JSON.createObjectNode();
            prov.put("spec", spec());
            prov.put("source", "npm pack nsfwjs@" + version + " (MIT licence)");
            prov.put("tarball", tarball.getFileName().toString());
            actual.forEach((k, v) -> prov.put("sha256:" + k, v));
            prov.put("converted", "TF.js layers (uint8-quantized) -> Keras 2.2.4 HDF5 full model by tlwb");
            prov.put("createdAt", Instant.now().toString());
            return cache.store(cacheName(), null, prov.toPrettyString(),
                    file -> TfjsConversion.writeFullModel(tfjs, file), "npm pack nsfwjs@" + version);
        } finally {
            deleteTree(tmp);
        }
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
                throw new WeightsException(tgz + " has no " + w + ": this nsfwjs version does not ship the "
                        + "MobileNetV2 bundle; use " + WeightSources.DEFAULT_SPEC);
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
        return new PretrainedModel(spec(), KerasImport.fullModel(f.file()), f.file(), f.sha256(), 224,
                preprocessing(), MobileNetV2Config.BOTTLENECK);
    }

    @Override
    public String toString() {
        return spec();
    }
}
