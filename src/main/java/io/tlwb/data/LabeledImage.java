package io.tlwb.data;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One usable image: its file, the index of its class in {@link ImageDataset#classes()} and the SHA-256 of the file's
 * bytes (lower-case hex), which keys the feature cache and finds exact duplicates.
 */
public record LabeledImage(Path file, int label, String sha256) {
    public LabeledImage {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(sha256, "sha256");
        if (label < 0) {
            throw new IllegalArgumentException("label must be >= 0, got " + label + " for " + file);
        }
    }
}
