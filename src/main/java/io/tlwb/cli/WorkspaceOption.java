package io.tlwb.cli;

import io.tlwb.Workspace;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --workspace DIR}: where models/ and runs/ live; the current folder (the project root) by default. */
final class WorkspaceOption {
    @Option(names = "--workspace", paramLabel = "DIR", defaultValue = ".",
            description = "Folder holding models/ (weights cache, features cache, saved models) and runs/. Default: ${DEFAULT-VALUE}.")
    Path root;

    Workspace workspace() {
        return new Workspace(root);
    }
}
