package io.tlwb.cli;

import io.tlwb.model.SavedModel;
import io.tlwb.model.TestTimeAugmentation;
import io.tlwb.serve.Predictor;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** What {@code evaluate} and {@code predict} share: the saved model and how to feed it. */
final class SavedModelOptions {

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "ZIP", required = true, description = "A model zip written by train.")
    Path model;

    @Option(names = "--tta", paramLabel = "MODE",
            description = "Test-time augmentation: none, or flip (average with the mirror image). "
                    + "Default: what train evaluated the model with (its model card).")
    String tta;

    /** Loads the model and a predictor with the requested test-time augmentation, or the model card's. */
    Predictor predictor(SavedModel saved) {
        if (tta == null) {
            return new Predictor(saved);
        }
        try {
            return new Predictor(saved, TestTimeAugmentation.parse(tta));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }
}
