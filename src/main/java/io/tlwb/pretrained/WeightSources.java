package io.tlwb.pretrained;

import io.tlwb.Workspace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses the {@code --weights SPEC} syntax used by every command and loads pretrained models.
 *
 * <pre>
 * npm:nsfwjs@4.4.0#mobilenet_v2_mid the offline default: nsfwjs' TF-Hub MobileNetV2 (alpha 1.4, batch norm folded),
 *                                   fetched with the npm client
 * npm:nsfwjs@4.4.0                  the package's Keras MobileNetV2 (alpha 1.0)
 * keras:mobilenet_v2_ALPHA_SIZE     official keras-applications no-top ImageNet weights, e.g. keras:mobilenet_v2_1.0_224
 * PATH.h5                           a Keras full model (model.save), nested models are flattened
 * PATH.h5#alpha=1.0,size=224        a Keras weights-only MobileNetV2 file (alpha/size inferred when omitted)
 * DIR or DIR/model.json             a TF.js layers model
 * </pre>
 *
 * Path specs take options after {@code #}: {@code alpha}, {@code size}, {@code preprocessing}
 * ({@code zero-to-one} or {@code minus-one-to-one}, default {@code minus-one-to-one}) and {@code cut} (the
 * bottleneck layer, default {@code out_relu}).
 *
 * <p>System properties: {@value #NPM_PROPERTY} (npm executable, default {@code npm}) and
 * {@value #KERAS_BASE_URL_PROPERTY} (download base URL for {@code keras:} weights).
 */
public final class WeightSources {
    /** nsfwjs' Keras MobileNetV2 (alpha 1.0, TF.js layers model): works wherever npm works. */
    public static final String NSFWJS_SPEC = "npm:nsfwjs@4.4.0";
    /** nsfwjs' TF-Hub MobileNetV2 (alpha 1.4) graph model, from the same package. */
    public static final String MID_SPEC = NSFWJS_SPEC + "#mobilenet_v2_mid";
    /**
     * The offline default: of the two offline sources, the one whose features transfer better (measured on real
     * photos, README), for about twice the featurization work.
     */
    public static final String DEFAULT_SPEC = MID_SPEC;
    /** The official Keras ImageNet MobileNetV2, the one {@link #AUTO} prefers when it is already cached. */
    public static final String IMAGENET_SPEC = "keras:mobilenet_v2_1.0_224";
    /**
     * The command-line default: {@link #IMAGENET_SPEC} when the weights cache has it, else {@link #DEFAULT_SPEC}. It
     * never downloads by itself.
     */
    public static final String AUTO = "auto";
    /** System property naming the npm executable. */
    public static final String NPM_PROPERTY = "tlwb.npm";
    /** System property overriding the keras-applications download base URL. */
    public static final String KERAS_BASE_URL_PROPERTY = "tlwb.keras.baseUrl";

    private WeightSources() {
    }

    /** The specs {@code weights list} advertises. */
    public static List<String> knownSpecs() {
        return List.of(MID_SPEC, NSFWJS_SPEC, "keras:mobilenet_v2_1.0_224", "keras:mobilenet_v2_0.35_224",
                "keras:mobilenet_v2_0.5_224", "keras:mobilenet_v2_0.75_224", "keras:mobilenet_v2_1.3_224",
                "keras:mobilenet_v2_1.4_224", "keras:mobilenet_v2_1.0_96 (any of alpha 0.35-1.0 x size 96-224)");
    }

    /**
     * The source a spec names, configured from system properties.
     *
     * @throws WeightsException if the spec is malformed; the message lists the accepted forms
     */
    public static WeightSource parse(String spec) {
        return parse(spec, System.getProperty(NPM_PROPERTY, "npm"),
                System.getProperty(KERAS_BASE_URL_PROPERTY, KerasApplicationsWeightSource.DEFAULT_BASE_URL));
    }

    static WeightSource parse(String spec, String npmCommand, String kerasBaseUrl) {
        if (spec == null || spec.isBlank()) {
            throw new WeightsException("empty --weights spec: use " + DEFAULT_SPEC
                    + ", keras:mobilenet_v2_<alpha>_<size> or a path to a .h5 file or model.json folder");
        }
        String s = spec.strip();
        if (s.startsWith("npm:")) {
            return NpmWeightSource.parse(s, npmCommand);
        }
        if (s.startsWith("keras:")) {
            return KerasApplicationsWeightSource.parse(s, kerasBaseUrl);
        }
        return PathWeightSource.parse(s);
    }

    /**
     * Which weights {@code spec} means in {@code workspace}, and a line to tell the user when {@link #AUTO} chose.
     *
     * @param note what to print (which source, and for the offline one how to get ImageNet weights), or null
     */
    public record Choice(String spec, String note) {
    }

    /** {@code spec} itself, or for {@link #AUTO} the ImageNet weights if cached, else the offline default. */
    public static Choice choose(String spec, Workspace workspace) {
        if (!AUTO.equals(spec == null ? null : spec.strip())) {
            return new Choice(spec, null);
        }
        boolean imagenetCached = parse(IMAGENET_SPEC).cacheEntry()
                .map(name -> Files.isRegularFile(workspace.weightsCacheDir().resolve(name)))
                .orElse(false);
        return imagenetCached
                ? new Choice(IMAGENET_SPEC, "weights: " + IMAGENET_SPEC + " (ImageNet, found in the weights cache)")
                : new Choice(DEFAULT_SPEC, "weights: " + DEFAULT_SPEC + " (offline); ImageNet weights transfer "
                        + "better: fetch them once with `weights fetch " + IMAGENET_SPEC + "` and later runs use them");
    }

    /** Parses {@code spec} and loads it: fetch into {@code workspace}'s cache if needed, then import. */
    public static PretrainedModel load(String spec, Workspace workspace) {
        return parse(spec).load(workspace);
    }

    /**
     * Fetches {@code spec} into {@code workspace}'s cache; with {@code force}, a cached npm/keras entry is deleted
     * and fetched again (e.g. after its sha256 check failed). Path specs are used in place and never re-fetched.
     */
    public static WeightsFile fetch(String spec, Workspace workspace, boolean force) {
        WeightSource source = parse(spec);
        if (force) {
            source.cacheEntry().ifPresent(new WeightCache(workspace.weightsCacheDir())::delete);
        }
        return source.fetch(workspace);
    }

    /**
     * One file of the weights cache.
     *
     * @param spec   the spec that produced it (from its provenance record), or {@code ?} if unknown
     * @param file   the cached {@code .h5}
     * @param sha256 as recorded in its sidecar when it was stored (not re-hashed here)
     * @param bytes  its size
     */
    public record CacheEntry(String spec, Path file, String sha256, long bytes) {
    }

    /** The entries of {@code workspace}'s weights cache, by file name. */
    public static List<CacheEntry> cached(Workspace workspace) {
        List<CacheEntry> out = new ArrayList<>();
        for (WeightsFile f : new WeightCache(workspace.weightsCacheDir()).list()) {
            String spec = "?";
            Path prov = Path.of(f.file() + WeightCache.PROVENANCE);
            try {
                if (Files.isRegularFile(prov)) {
                    spec = KerasConfigs.JSON.readTree(prov.toFile()).path("spec").asText("?");
                }
                out.add(new CacheEntry(spec, f.file(), f.sha256(), Files.size(f.file())));
            } catch (IOException e) {
                throw new WeightsException("cannot read " + prov + " (" + KerasH5.oneLine(e) + ")", e);
            }
        }
        return out;
    }
}
