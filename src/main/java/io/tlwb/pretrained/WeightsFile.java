package io.tlwb.pretrained;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A Keras HDF5 file in the weights cache, with the sha256 recorded when it was stored.
 *
 * @param file   the {@code .h5} file
 * @param sha256 hex sha256 of {@code file}, also written to {@code file + ".sha256"}
 */
public record WeightsFile(Path file, String sha256) {
    public WeightsFile {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(sha256, "sha256");
    }
}
