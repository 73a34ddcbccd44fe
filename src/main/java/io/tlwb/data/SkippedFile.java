package io.tlwb.data;

import java.nio.file.Path;
import java.util.Objects;

/** A file (or folder) found in a dataset but left out, with the reason in a few words. */
public record SkippedFile(Path file, String reason) {
    public SkippedFile {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(reason, "reason");
    }

    @Override
    public String toString() {
        return file + ": " + reason;
    }
}
