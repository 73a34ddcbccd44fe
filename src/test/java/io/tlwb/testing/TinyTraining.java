package io.tlwb.testing;

import io.tlwb.RunFolder;
import io.tlwb.Workspace;
import io.tlwb.data.Augmentation;
import io.tlwb.model.HeadConfig;
import io.tlwb.model.TestTimeAugmentation;
import io.tlwb.model.Updater;
import io.tlwb.pipeline.DataSpec;
import io.tlwb.pipeline.FeatureSpec;
import io.tlwb.pipeline.HeadRecipe;
import io.tlwb.pipeline.OutputSpec;
import io.tlwb.pipeline.TrainingJob;
import io.tlwb.pipeline.TrainingOptions;
import io.tlwb.pipeline.TrainingResult;
import io.tlwb.train.FineTuning;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.deeplearning4j.optimize.api.TrainingListener;

/** A real training job in a few seconds: the tiny base on 16 learnable images, 6 epochs of 3 minibatches. */
public final class TinyTraining {

    private TinyTraining() {
    }

    /** Trains into {@code run} (a folder under {@code ws}), with the data written once under {@code ws/bugs}. */
    public static TrainingResult run(Workspace ws, RunFolder run, TrainingListener... listeners) {
        return run(ws, run, null, listeners);
    }

    /** As {@link #run(Workspace, RunFolder, TrainingListener...)}, then fine-tuning as {@code fineTuning} says. */
    public static TrainingResult run(Workspace ws, RunFolder run, FineTuning fineTuning,
                                     TrainingListener... listeners) {
        Path data = ws.root().resolve("bugs");
        if (!Files.isDirectory(data)) {
            LearnableImages.write(data, 8, 32, 3);
        }
        TrainingOptions options = new TrainingOptions(new DataSpec(data, 0.25, 7),
                new FeatureSpec(32, Augmentation.NONE, TestTimeAugmentation.NONE),
                new HeadRecipe(new HeadConfig(false, 0, 0.2, 0, Updater.ADAM, 3e-2), 4, 6, null), fineTuning,
                new OutputSpec(ws.modelsDir().resolve(run.id() + ".zip"), true, null));
        return new TrainingJob(ws, new PrintWriter(new StringWriter(), true), null).addListeners(listeners)
                .run(TinyBase.create(16, 21), options, run);
    }
}
