package io.tlwb;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the workbench keeps what it makes: cached weights and saved models under {@code models/}, one folder per
 * run under {@code runs/}, bottleneck features under {@code models/features/}. Tests point it at a temp folder.
 */
public record Workspace(Path root) {
    public Workspace {
        root = root.toAbsolutePath().normalize();
    }

    public Path modelsDir() {
        return root.resolve("models");
    }

    public Path weightsCacheDir() {
        return modelsDir().resolve("weights");
    }

    public Path featureCacheDir() {
        return modelsDir().resolve("features");
    }

    public Path runsDir() {
        return root.resolve("runs");
    }

    /** A model zip the user named: as given when it exists, else the same relative name under {@code models/}. */
    public Path savedModel(Path given) {
        Path inModels = modelsDir().resolve(given);
        return Files.exists(given) || given.isAbsolute() || !Files.exists(inModels) ? given : inModels;
    }
}
