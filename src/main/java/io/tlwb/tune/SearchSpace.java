package io.tlwb.tune;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.tlwb.model.Updater;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a search may vary: the head ({@code learningRate}, {@code dropout}, {@code hiddenUnits}, {@code l2},
 * {@code updater}), its training ({@code batchSize}, {@code epochs}) and the {@code cutLayer} (each cut layer is
 * featurized once). Immutable; every dimension is validated when the space is made.
 *
 * <p>A space file is a JSON object with any of those keys; missing keys keep their {@link #DEFAULT} dimension:
 * <pre>
 * {
 *   "learningRate": {"min": 1e-5, "max": 1e-2},    log-uniform
 *   "dropout":      {"min": 0.0, "max": 0.5},      uniform
 *   "hiddenUnits":  [0, 128, 256],                 0 = linear head
 *   "l2":           [0, 1e-5, 1e-4],               a range here is log-uniform, so min &gt; 0
 *   "batchSize":    [16, 32, 64],                  or {"min": 16, "max": 64}
 *   "updater":      ["adam", "nesterovs", "rmsprop"],
 *   "epochs":       10,                            a single value is fixed
 *   "cutLayer":     ["out_relu", "block_16_project_BN"]
 * }
 * </pre>
 *
 * @param dimensions by key, in {@link #KEYS} order
 */
public record SearchSpace(Map<String, Dimension> dimensions) {

    /** The keys a space may set, in the order candidates list them. */
    public static final List<String> KEYS = List.of("learningRate", "dropout", "hiddenUnits", "l2", "batchSize",
            "updater", "epochs", "cutLayer");

    /** The cut layer {@code train} uses for the base (the base's {@code defaultCutLayer}), resolved at start. */
    public static final String DEFAULT_CUT = "default";

    /** A sensible first search around the Keras tutorial's head. */
    public static final SearchSpace DEFAULT = new SearchSpace(ordered(Map.of(
            "learningRate", Dimension.range(1e-5, 1e-2, Dimension.Scale.LOG),
            "dropout", Dimension.range(0.0, 0.5, Dimension.Scale.LINEAR),
            "hiddenUnits", Dimension.choice(List.of(0, 128, 256)),
            "l2", Dimension.choice(List.of(0.0, 1e-3, 1e-2, 1e-1)),
            "batchSize", Dimension.choice(List.of(16, 32, 64)),
            "updater", Dimension.choice(List.of("adam", "nesterovs", "rmsprop")),
            "epochs", Dimension.choice(List.of(10, 30, 50)),
            "cutLayer", Dimension.fixed(DEFAULT_CUT))));

    private enum Kind { DOUBLE, INT, STRING }

    public SearchSpace {
        for (String key : KEYS) {
            if (!dimensions.containsKey(key)) {
                throw new IllegalArgumentException("search space has no \"" + key + "\" dimension");
            }
        }
        dimensions = ordered(dimensions);
        for (String key : KEYS) {
            validate(key, dimensions.get(key));
        }
    }

    public Dimension get(String key) {
        return dimensions.get(key);
    }

    /** This space with one dimension replaced. */
    public SearchSpace with(String key, Dimension dimension) {
        Map<String, Dimension> m = new LinkedHashMap<>(dimensions);
        m.put(key, dimension);
        return new SearchSpace(m);
    }

    /** The space as written to the run folder. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        dimensions.forEach((k, d) -> m.put(k, d.toJson()));
        return m;
    }

    /**
     * Reads a space file (JSON; comments allowed). Every problem is one line naming the file and the key:
     * an unknown key, a value of the wrong type, an empty list, a range whose ends are reversed or out of bounds.
     */
    public static SearchSpace read(Path file) {
        String name = file.toString();
        JsonNode root;
        try {
            root = JsonMapper.builder().enable(JsonReadFeature.ALLOW_JAVA_COMMENTS).build()
                    .readTree(Files.readString(file));
        } catch (JsonProcessingException e) {
            var at = e.getLocation();
            throw new SearchSpaceException(name + ": not valid JSON" + (at == null ? "" : " at line " + at.getLineNr()
                    + ", column " + at.getColumnNr()) + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new SearchSpaceException("cannot read the search space file " + name + ": " + e.getMessage()
                    + " (check the path)", e);
        }
        if (root == null || !root.isObject()) {
            throw new SearchSpaceException(name + ": expected a JSON object such as {\"learningRate\": {\"min\": 1e-5, "
                    + "\"max\": 1e-2}}, got " + (root == null ? "an empty file" : describe(root)));
        }
        Map<String, Dimension> m = new LinkedHashMap<>(DEFAULT.dimensions);
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            if (!KEYS.contains(key)) {
                throw new SearchSpaceException(name + ": unknown key \"" + key + "\"; expected one of "
                        + String.join(", ", KEYS));
            }
            try {
                Dimension d = parse(key, e.getValue());
                validate(key, d);
                m.put(key, d);
            } catch (IllegalArgumentException bad) {
                throw new SearchSpaceException(name + ": \"" + key + "\": " + bad.getMessage());
            }
        }
        return new SearchSpace(m);
    }

    private static Dimension parse(String key, JsonNode node) {
        Kind kind = kind(key);
        if (node.isArray()) {
            if (node.isEmpty()) {
                throw new IllegalArgumentException("the list of values is empty; give at least one");
            }
            List<Object> values = new ArrayList<>();
            node.forEach(v -> values.add(scalar(key, kind, v)));
            return Dimension.choice(values);
        }
        if (node.isObject()) {
            if (kind == Kind.STRING) {
                throw new IllegalArgumentException("takes a name or a list of names, not a range");
            }
            for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
                String f = names.next();
                if (!f.equals("min") && !f.equals("max")) {
                    throw new IllegalArgumentException("unknown range key \"" + f + "\"; a range is {\"min\": .., \"max\": ..}");
                }
            }
            if (!node.has("min") || !node.has("max")) {
                throw new IllegalArgumentException("a range needs both \"min\" and \"max\"");
            }
            double min = ((Number) scalar(key, kind, node.get("min"))).doubleValue();
            double max = ((Number) scalar(key, kind, node.get("max"))).doubleValue();
            Dimension.Scale scale = kind == Kind.INT ? Dimension.Scale.INTEGER
                    : key.equals("dropout") ? Dimension.Scale.LINEAR : Dimension.Scale.LOG;
            return Dimension.range(min, max, scale);
        }
        return Dimension.fixed(scalar(key, kind, node));
    }

    private static Object scalar(String key, Kind kind, JsonNode v) {
        switch (kind) {
            case DOUBLE:
                if (v.isNumber()) {
                    return v.doubleValue();
                }
                throw new IllegalArgumentException("expected a number, a list of numbers or {\"min\": .., \"max\": ..}, got "
                        + describe(v));
            case INT:
                if (v.isIntegralNumber() || (v.isNumber() && v.doubleValue() == Math.rint(v.doubleValue()))) {
                    if (Math.abs(v.doubleValue()) > Integer.MAX_VALUE) {
                        throw new IllegalArgumentException(v + " is too large");
                    }
                    return v.intValue();
                }
                throw new IllegalArgumentException("expected a whole number, a list of whole numbers or "
                        + "{\"min\": .., \"max\": ..}, got " + describe(v));
            default:
                if (v.isTextual() && !v.asText().isBlank()) {
                    return v.asText().trim();
                }
                throw new IllegalArgumentException("expected a name or a list of names, got " + describe(v));
        }
    }

    private static void validate(String key, Dimension d) {
        if (d.isRange()) {
            if (!(d.min() <= d.max())) {
                throw new IllegalArgumentException("range min " + num(d.min()) + " is above max " + num(d.max()));
            }
            check(key, d.min());
            check(key, d.max());
            if (d.scale() == Dimension.Scale.LOG && !(d.min() > 0)) {
                throw new IllegalArgumentException("a range is searched log-uniformly, so min must be above 0, got "
                        + num(d.min()) + " (list 0 as a value instead, e.g. [0, 1e-5, 1e-4])");
            }
        } else {
            for (Object v : d.values()) {
                if (v instanceof Number n) {
                    check(key, n.doubleValue());
                } else if (key.equals("updater")) {
                    Updater.parse((String) v);
                }
            }
        }
    }

    private static void check(String key, double v) {
        String bad = switch (key) {
            case "learningRate" -> v > 0 && v < 10 ? null : "must be in (0, 10)";
            case "dropout" -> v >= 0 && v < 1 ? null : "is a fraction dropped, so must be in [0, 1)";
            case "hiddenUnits" -> v >= 0 && v <= 65536 ? null : "must be between 0 (linear head) and 65536";
            case "l2" -> v >= 0 && v < 10 ? null : "must be in [0, 10)";
            case "batchSize" -> v >= 1 && v <= 4096 ? null : "must be between 1 and 4096";
            case "epochs" -> v >= 1 && v <= 10_000 ? null : "must be between 1 and 10000";
            default -> null;
        };
        if (bad != null) {
            throw new IllegalArgumentException(num(v) + " " + bad);
        }
    }

    private static Kind kind(String key) {
        return switch (key) {
            case "hiddenUnits", "batchSize", "epochs" -> Kind.INT;
            case "updater", "cutLayer" -> Kind.STRING;
            default -> Kind.DOUBLE;
        };
    }

    private static String describe(JsonNode v) {
        if (v.isTextual()) {
            return "the text \"" + v.asText() + "\"";
        }
        if (v.isBoolean()) {
            return "the boolean " + v;
        }
        if (v.isNull()) {
            return "null";
        }
        if (v.isObject()) {
            return "an object";
        }
        if (v.isArray()) {
            return "a list";
        }
        return "the number " + v;
    }

    private static String num(double v) {
        return Double.isFinite(v) ? java.math.BigDecimal.valueOf(v).stripTrailingZeros().toString() : Double.toString(v);
    }

    private static Map<String, Dimension> ordered(Map<String, Dimension> in) {
        Map<String, Dimension> m = new LinkedHashMap<>();
        for (String key : KEYS) {
            if (in.containsKey(key)) {
                m.put(key, in.get(key));
            }
        }
        for (String key : in.keySet()) {
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException("unknown search space key \"" + key + "\"; expected one of " + KEYS);
            }
        }
        return java.util.Collections.unmodifiableMap(m);
    }
}
