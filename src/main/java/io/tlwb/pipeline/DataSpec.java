package io.tlwb.pipeline;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Which images, and how they split: validated on construction with the message the command line shows.
 *
 * @param folder          the image folder ({@code DIR/train|validation/<class>} or {@code DIR/<class>}) or CSV
 *                        manifest; or, with {@code inFeatureStore}, the feature store that lists the images
 * @param validationSplit fraction held out per class when the folder has no validation split of its own
 * @param seed            seeds the split, and everything else a run draws at random
 * @param inFeatureStore  whether the images, their classes and splits are those the feature store holds rows for
 *                        (training from the store alone, no image read)
 */
public record DataSpec(Path folder, double validationSplit, long seed, boolean inFeatureStore) {

    public DataSpec {
        Objects.requireNonNull(folder, "folder");
        if (!(validationSplit > 0 && validationSplit < 1)) {
            throw new IllegalArgumentException("--validation-split must be between 0 and 1, got " + validationSplit);
        }
    }

    /** Images in a folder or manifest. */
    public DataSpec(Path folder, double validationSplit, long seed) {
        this(folder, validationSplit, seed, false);
    }

    /** The images a feature store holds rows for, with the classes and splits it recorded. */
    public static DataSpec inFeatureStore(String store, long seed) {
        return new DataSpec(Path.of(store), 0.2, seed, true);
    }

    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("data", inFeatureStore ? "feature store " + folder : folder.toAbsolutePath().normalize().toString());
        m.put("validationSplit", validationSplit);
        m.put("seed", seed);
        return m;
    }
}
