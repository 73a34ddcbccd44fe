package io.tlwb.cli;

import io.tlwb.Workspace;
import io.tlwb.model.SavedModel;
import io.tlwb.model.TestTimeAugmentation;
import io.tlwb.serve.Predictor;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** What {@code evaluate} and {@code predict} share: the saved model and how to feed it. */
final class SavedModelOptions {

    @Option(names = "--model", paramLabel = "ZIP", required = true,
            description = "A model zip written by train or search; a bare name is also looked up in the workspace's "
                    + "models/ folder.")
    Path model;

    @Option(names = "--tta", paramLabel = "MODE",
            description = "Test-time augmentation: none, or flip (average with the mirror image). "
                    + "Default: what train evaluated the model with (its model card).")
    TestTimeAugmentation tta;

    /** {@code --model} as given when it exists, else the same relative name under the workspace's models/ folder. */
    Path modelFile(Workspace workspace) {
        return workspace.savedModel(model);
    }

    /** Loads the model and a predictor with the requested test-time augmentation, or the model card's. */
    Predictor predictor(SavedModel saved) {
        if (tta == null) {
            return new Predictor(saved);
        }
        return new Predictor(saved, tta);
    }
}
