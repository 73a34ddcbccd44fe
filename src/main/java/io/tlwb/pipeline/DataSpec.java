package io.tlwb.pipeline;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Which images, and how they split: validated on construction with the message the command line shows.
 *
 * @param location        where the images are, as {@code source} says: a folder ({@code DIR/train|validation/<class>}
 *                        or {@code DIR/<class>}) or CSV manifest here; a folder on a Hadoop filesystem
 *                        ({@code hdfs://…}, {@code s3a://…}); or the feature store that lists them
 * @param validationSplit fraction held out per class when the folder has no validation split of its own
 * @param seed            seeds the split, and everything else a run draws at random
 * @param source          what {@code location} names
 */
public record DataSpec(String location, double validationSplit, long seed, Source source) {

    /** What a {@link DataSpec}'s location names. */
    public enum Source {
        /** A folder or CSV manifest on this machine's filesystem. */
        FOLDER,
        /** A folder on a Hadoop filesystem: listed here, read only by a cluster's executors. */
        HADOOP_FILESYSTEM,
        /** A feature store: the images, classes and splits it holds rows for (no image read). */
        FEATURE_STORE
    }

    /** {@code scheme://…} or {@code scheme:/…}: a URI, not a path (this workbench runs on Linux paths). */
    private static final Pattern URI = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*:/.*");

    public DataSpec {
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(source, "source");
        if (!(validationSplit > 0 && validationSplit < 1)) {
            throw new IllegalArgumentException("--validation-split must be between 0 and 1, got " + validationSplit);
        }
    }

    /** Images in a folder or manifest on this machine. */
    public DataSpec(Path folder, double validationSplit, long seed) {
        this(folder.toString(), validationSplit, seed, Source.FOLDER);
    }

    /** {@code --data} as given: a Hadoop filesystem URI ({@code hdfs://…}, {@code file:/…}), else a local path. */
    public static DataSpec of(String data, double validationSplit, long seed) {
        return new DataSpec(data, validationSplit, seed, URI.matcher(data).matches() ? Source.HADOOP_FILESYSTEM
                : Source.FOLDER);
    }

    /** The images a feature store holds rows for, with the classes and splits it recorded. */
    public static DataSpec inFeatureStore(String store, long seed) {
        return new DataSpec(store, 0.2, seed, Source.FEATURE_STORE);
    }

    /** The local folder or manifest. */
    public Path folder() {
        if (source != Source.FOLDER) {
            throw new IllegalStateException(location + " is not on this machine's filesystem");
        }
        return Path.of(location);
    }

    /** Where the images are, as {@code config.json} records it: an absolute path, a URI, or the feature store. */
    public String describe() {
        return switch (source) {
            case FOLDER -> folder().toAbsolutePath().normalize().toString();
            case HADOOP_FILESYSTEM -> location;
            case FEATURE_STORE -> "feature store " + location;
        };
    }

    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("data", describe());
        m.put("validationSplit", validationSplit);
        m.put("seed", seed);
        return m;
    }
}
