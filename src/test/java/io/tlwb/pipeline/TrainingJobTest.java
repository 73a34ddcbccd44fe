package io.tlwb.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tlwb.RunFolder;
import io.tlwb.WorkbenchException;
import io.tlwb.Workspace;
import io.tlwb.data.Augmentation;
import io.tlwb.data.ImagePipeline;
import io.tlwb.eval.EvaluationResult;
import io.tlwb.model.HeadConfig;
import io.tlwb.model.SavedModel;
import io.tlwb.model.TestTimeAugmentation;
import io.tlwb.model.Updater;
import io.tlwb.pretrained.PretrainedModel;
import io.tlwb.report.RunReport;
import io.tlwb.serve.Predictor;
import io.tlwb.testing.LearnableImages;
import io.tlwb.testing.TinyBase;
import io.tlwb.train.FineTuning;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

class TrainingJobTest {

    @TempDir
    Path tmp;

    private final PretrainedModel base = TinyBase.create(16, 21);

    private TrainingOptions options(Path data, Path modelOut, boolean overwrite) {
        return new TrainingOptions(new DataSpec(data, 0.25, 7),
                new FeatureSpec(32, Augmentation.FLIP, TestTimeAugmentation.NONE),
                new HeadRecipe(new HeadConfig(true, 0, 0.2, 0, Updater.ADAM, 3e-2), 8, 6, null),
                new OutputSpec(modelOut, overwrite, tmp.resolve("m.json")));
    }

    private TrainingResult train(Path data, Path modelOut, boolean overwrite, StringWriter console) {
        Workspace ws = new Workspace(tmp.resolve("ws"));
        return new TrainingJob(ws, new PrintWriter(console, true), null)
                .run(base, options(data, modelOut, overwrite), RunFolder.create(ws.runsDir(), "train"));
    }

    @Test
    void trainsSavesAModelThatPredictsLikeTheInMemoryOneAndKeepsTheRun() throws Exception {
        Path data = LearnableImages.write(tmp.resolve("bugs"), 8, 32, 3);
        StringWriter console = new StringWriter();
        TrainingResult result = train(data, tmp.resolve("out/model.zip"), false, console);

        String text = console.toString();
        assertTrue(text.contains("untrained head on the validation split") && text.contains("epoch 6/6")
                && text.contains("confusion"), text);
        assertTrue(result.outcome().after().accuracy() > result.outcome().before().accuracy() - 1e-9, text);

        SavedModel loaded = SavedModel.load(result.modelFile());
        assertEquals(result.dataset().classes(), loaded.card().classes());
        assertEquals("out_relu", loaded.card().cutLayer());
        assertEquals(result.dataset().fingerprint(), loaded.card().datasetFingerprint());
        INDArray image = new ImagePipeline(32, base.preprocessing()).load(result.dataset().validation().get(0).file());
        assertEquals(result.model().graph().outputSingle(image), loaded.graph().outputSingle(image));

        JsonNode metrics = new ObjectMapper().readTree(tmp.resolve("m.json").toFile());
        for (String key : new String[] {"before", "after", "classes", "confusion", "history", "seconds"}) {
            assertTrue(metrics.has(key), key + " in " + metrics);
        }
        assertTrue(metrics.get("before").has("accuracy") && metrics.get("after").has("loss"));
        for (String file : new String[] {"config.json", "metrics.json", "skipped.txt"}) {
            assertTrue(Files.exists(result.run().file(file)), file);
        }
    }

    @Test
    void flipTestTimeAugmentationFiguresAreWhatTheSavedModelGivesOnTheImages() {
        Path data = LearnableImages.write(tmp.resolve("bugs"), 8, 32, 6);
        Workspace ws = new Workspace(tmp.resolve("ws"));
        TrainingOptions flip = new TrainingOptions(new DataSpec(data, 0.25, 7),
                new FeatureSpec(32, Augmentation.NONE, TestTimeAugmentation.FLIP),
                new HeadRecipe(new HeadConfig(true, 0, 0.2, 0, Updater.ADAM, 3e-2), 8, 4, null),
                new OutputSpec(tmp.resolve("tta.zip"), false, null));
        StringWriter console = new StringWriter();
        TrainingResult result = new TrainingJob(ws, new PrintWriter(console, true), null)
                .run(base, flip, RunFolder.create(ws.runsDir(), "train"));
        assertTrue(console.toString().contains("test-time augmentation: flip"), console.toString());

        SavedModel loaded = SavedModel.load(result.modelFile());
        Predictor predictor = new Predictor(loaded);
        assertEquals(TestTimeAugmentation.FLIP, predictor.tta(), "the card makes flip the model's default");
        EvaluationResult onImages = predictor.evaluate(result.dataset().validation(), 3);
        assertEquals(result.outcome().after().accuracy(), onImages.accuracy(), 1e-9);
        assertEquals(result.outcome().after().loss(), onImages.loss(), 1e-5);
        EvaluationResult plain = new Predictor(loaded, TestTimeAugmentation.NONE)
                .evaluate(result.dataset().validation(), 3);
        assertNotEquals(plain.loss(), onImages.loss(), "flip averaging changes the probabilities");
    }

    @Test
    void fineTuningRetrainsTheTopLayersAndTheSavedModelReproducesItsFigures() throws Exception {
        Path data = LearnableImages.write(tmp.resolve("bugs"), 8, 32, 8);
        Workspace ws = new Workspace(tmp.resolve("ws"));
        TrainingOptions options = new TrainingOptions(new DataSpec(data, 0.25, 7),
                new FeatureSpec(32, Augmentation.FLIP, TestTimeAugmentation.FLIP),
                new HeadRecipe(new HeadConfig(true, 0, 0.2, 0, Updater.ADAM, 3e-2), 8, 4, null),
                new FineTuning("Conv1_relu", 3, 1e-2), new OutputSpec(tmp.resolve("ft.zip"), false, null));
        StringWriter console = new StringWriter();
        TrainingResult result = new TrainingJob(ws, new PrintWriter(console, true), null)
                .run(base, options, RunFolder.create(ws.runsDir(), "train"));
        String text = console.toString();
        assertTrue(text.contains("fine-tuning the layers above Conv1_relu") && text.contains("epoch 7/7"), text);
        assertEquals(7, result.outcome().history().size());

        SavedModel loaded = SavedModel.load(result.modelFile());
        assertEquals(List.of("Conv_1", "Conv_1_bn"), loaded.card().trainedLayers().subList(0, 2));
        assertEquals(base.graph().getLayer("Conv1").params(), loaded.graph().getLayer("Conv1").params(),
                "the frozen layer below is untouched");
        assertNotEquals(base.graph().getLayer("Conv_1").params(), loaded.graph().getLayer("Conv_1").params());
        EvaluationResult onImages = new Predictor(loaded).evaluate(result.dataset().validation(), 3);
        assertEquals(result.outcome().after().accuracy(), onImages.accuracy(), 1e-9);
        assertEquals(result.outcome().after().loss(), onImages.loss(), 1e-5);

        String report = Files.readString(RunReport.write(result));
        assertTrue(report.contains("5 (fine-tuning)") && !report.contains("4 (fine-tuning)"), "stages in the report");
        assertTrue(report.contains("Conv_1_bn"), "the report lists the retrained layers");
    }

    @Test
    void aFineTuningLayerThatCannotStartFineTuningIsRefusedBeforeAnyWork() throws Exception {
        Path data = LearnableImages.write(tmp.resolve("bugs"), 4, 32, 9);
        Workspace ws = new Workspace(tmp.resolve("ws"));
        TrainingOptions options = new TrainingOptions(new DataSpec(data, 0.25, 7),
                new FeatureSpec(32, Augmentation.NONE, TestTimeAugmentation.NONE),
                new HeadRecipe(HeadConfig.TUTORIAL, 8, 2, null), new FineTuning("no_such_layer", 2, 1e-3),
                new OutputSpec(tmp.resolve("never.zip"), false, null));
        var e = assertThrows(WorkbenchException.class, () -> new TrainingJob(ws, new PrintWriter(new StringWriter()),
                null).run(base, options, RunFolder.create(ws.runsDir(), "train")));
        assertTrue(e.getMessage().startsWith("--fine-tune-from: 'no_such_layer' is not a base layer")
                && e.getMessage().contains("Conv1_relu"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("never.zip")));
        assertFalse(Files.exists(ws.featureCacheDir()) && Files.list(ws.featureCacheDir()).findAny().isPresent(),
                "nothing was featurized");
    }

    @Test
    void sameSeedAndDataGiveTheSameNumbersWarmOrCold() {
        Path data = LearnableImages.write(tmp.resolve("bugs"), 6, 32, 4);
        TrainingResult cold = train(data, tmp.resolve("a.zip"), false, new StringWriter());
        TrainingResult warm = train(data, tmp.resolve("b.zip"), false, new StringWriter());
        assertEquals(cold.outcome().after().loss(), warm.outcome().after().loss(), 0.0);
        assertEquals(cold.outcome().before().loss(), warm.outcome().before().loss(), 0.0);
        assertEquals(cold.outcome().history().size(), warm.outcome().history().size());
    }

    @Test
    void existingModelFileIsNeverOverwrittenWithoutForce() throws Exception {
        Path data = LearnableImages.write(tmp.resolve("bugs"), 4, 32, 5);
        Path model = Files.writeString(tmp.resolve("precious.zip"), "user data");
        var e = assertThrows(WorkbenchException.class, () -> train(data, model, false, new StringWriter()));
        assertTrue(e.getMessage().contains("--force"), e.getMessage());
        assertEquals("user data", Files.readString(model));
        train(data, model, true, new StringWriter());
        assertEquals(2, SavedModel.load(model).card().classes().size());
    }
}
