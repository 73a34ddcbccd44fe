package io.tlwb.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tlwb.RunFolder;
import io.tlwb.Workspace;
import io.tlwb.data.Augmentation;
import io.tlwb.model.HeadConfig;
import io.tlwb.model.TestTimeAugmentation;
import io.tlwb.model.Updater;
import io.tlwb.testing.LearnableImages;
import io.tlwb.testing.TinyBase;
import io.tlwb.train.FineTuning;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AutomaticFineTuningTest {

    @TempDir
    Path tmp;

    private record Run(String console, TrainingResult result) {
    }

    /** A real run on the tiny residual base with {@code perClass} images a class, a quarter held out. */
    private Run train(int perClass) {
        Workspace ws = new Workspace(tmp.resolve("ws" + perClass));
        Path data = LearnableImages.write(tmp.resolve("data" + perClass), perClass, 32, 5);
        TrainingOptions options = new TrainingOptions(new DataSpec(data, 0.25, 7),
                new FeatureSpec(32, Augmentation.NONE, TestTimeAugmentation.NONE),
                new HeadRecipe(new HeadConfig(false, 0, 0.0, 0, Updater.ADAM, 3e-2), 32, 2, null),
                FineTuning.automatic(1, 1e-4), new OutputSpec(ws.modelsDir().resolve("m.zip"), true, null));
        StringWriter console = new StringWriter();
        TrainingResult result = new TrainingJob(ws, new PrintWriter(console, true), null)
                .run(TinyBase.residualBlock(false), options, RunFolder.create(ws.runsDir(), "train"));
        return new Run(console.toString(), result);
    }

    @Test
    void enoughImagesInEveryClassFineTuneFromTheResidualBlockBelowTheCut() {
        Run run = train(140);
        assertTrue(run.console().contains("fine-tuning: from block_add (the smallest class has 105 training images, "
                + "at least 100"), run.console());
        assertTrue(run.console().contains("fine-tuning the layers above block_add"), run.console());
        Map<?, ?> recorded = (Map<?, ?>) run.result().model().card().training().get("fineTuning");
        assertEquals("block_add", recorded.get("frozenLayer"), "the card records the layer, not 'auto'");
    }

    @Test
    void fewerImagesInAnyClassTrainTheHeadOnly() {
        Run run = train(120);
        assertTrue(run.console().contains("fine-tuning: off (the smallest class has 90 training images, fewer than "
                + "100; --fine-tune-from LAYER forces it)"), run.console());
        assertEquals(null, run.result().model().card().training().get("fineTuning"));
        assertEquals(2, run.result().outcome().history().size(), "head epochs only");
    }
}
