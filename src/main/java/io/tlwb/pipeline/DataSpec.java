package io.tlwb.pipeline;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Which images, and how they split: validated on construction with the message the command line shows.
 *
 * @param folder          the image folder ({@code DIR/train|validation/<class>} or {@code DIR/<class>})
 * @param validationSplit fraction held out per class when the folder has no validation split of its own
 * @param seed            seeds the split, and everything else a run draws at random
 */
public record DataSpec(Path folder, double validationSplit, long seed) {

    public DataSpec {
        Objects.requireNonNull(folder, "folder");
        if (!(validationSplit > 0 && validationSplit < 1)) {
            throw new IllegalArgumentException("--validation-split must be between 0 and 1, got " + validationSplit);
        }
    }

    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("data", folder.toAbsolutePath().normalize().toString());
        m.put("validationSplit", validationSplit);
        m.put("seed", seed);
        return m;
    }
}
