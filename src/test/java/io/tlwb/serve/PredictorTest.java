package io.tlwb.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tlwb.RunFolder;
import io.tlwb.Workspace;
import io.tlwb.data.Augmentation;
import io.tlwb.data.ImagePipeline;
import io.tlwb.data.LabeledImage;
import io.tlwb.model.HeadConfig;
import io.tlwb.model.SavedModel;
import io.tlwb.model.TestTimeAugmentation;
import io.tlwb.model.Updater;
import io.tlwb.pipeline.DataSpec;
import io.tlwb.pipeline.FeatureSpec;
import io.tlwb.pipeline.HeadRecipe;
import io.tlwb.pipeline.OutputSpec;
import io.tlwb.pipeline.TrainingJob;
import io.tlwb.pipeline.TrainingOptions;
import io.tlwb.pipeline.TrainingResult;
import io.tlwb.pretrained.Preprocessing;
import io.tlwb.testing.LearnableImages;
import io.tlwb.testing.TinyBase;
import io.tlwb.testing.TinyTraining;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

class PredictorTest {

    @TempDir
    Path tmp;

    @Test
    void predictsOnTheCompiledBaseWhatTheSavedGraphComputes() {
        Workspace ws = new Workspace(tmp);
        TrainingResult result = TinyTraining.run(ws, RunFolder.create(ws.runsDir(), "train"));
        SavedModel saved = SavedModel.load(result.modelFile());
        ImagePipeline pipeline = new ImagePipeline(saved.card().imageSize(),
                Preprocessing.named(saved.card().preprocessing()));
        for (TestTimeAugmentation tta : TestTimeAugmentation.values()) {
            Predictor predictor = new Predictor(saved, tta);
            assertTrue(predictor.compiled(), "the tiny base compiles");
            for (LabeledImage image : result.dataset().validation()) {
                INDArray expected = tta.output(saved.graph(), pipeline.load(image.file()));
                float[] actual = predictor.predict(image.file()).probabilities();
                assertArrayEquals(expected.toFloatVector(), actual, 1e-5f, image.file() + " " + tta);
            }
        }
        assertEquals(result.outcome().after().accuracy(),
                new Predictor(saved).evaluate(result.dataset().validation(), 3).accuracy(), 1e-9);
    }

    @Test
    void theClassActivationMapsAverageToTheLogitsOfThePrediction() throws Exception {
        Workspace ws = new Workspace(tmp);
        Path data = LearnableImages.write(tmp.resolve("bugs"), 8, 32, 3);
        TrainingOptions options = new TrainingOptions(new DataSpec(data, 0.25, 7),
                new FeatureSpec(32, Augmentation.NONE, TestTimeAugmentation.NONE),
                new HeadRecipe(new HeadConfig(true, 0, 0.2, 0, Updater.ADAM, 3e-2), 4, 6, null),
                new OutputSpec(tmp.resolve("std.zip"), false, null));
        TrainingResult result = new TrainingJob(ws, new PrintWriter(new StringWriter()), null)
                .run(TinyBase.create(16, 21), options, RunFolder.create(ws.runsDir(), "train"));
        Predictor predictor = new Predictor(SavedModel.load(result.modelFile()));
        for (LabeledImage image : result.dataset().validation()) {
            float[][][] maps = predictor.logitMaps(image.file());
            double[] logits = Arrays.stream(maps).mapToDouble(m -> Arrays.stream(m)
                    .flatMapToDouble(row -> IntStream.range(0, row.length).mapToDouble(i -> row[i])).average()
                    .orElseThrow()).toArray();
            double norm = Arrays.stream(logits).map(Math::exp).sum();
            float[] probabilities = predictor.predict(image.file()).probabilities();
            for (int c = 0; c < logits.length; c++) {
                assertEquals(probabilities[c], Math.exp(logits[c]) / norm, 1e-5, image.file() + " class " + c);
            }
            Predictor.Explanation e = predictor.explain(image.file());
            assertEquals(32, e.overlay().getWidth());
            // one image runs split over the cores or on one core, whichever is faster then: last-digit rounding
            float expected = maps[e.result().label().equals("ants") ? 0 : 1][0][0];
            assertEquals(expected, e.map()[0][0], 1e-5f * Math.max(1f, Math.abs(expected)));
        }
    }
}
