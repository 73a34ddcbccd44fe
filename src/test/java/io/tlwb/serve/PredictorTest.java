package io.tlwb.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tlwb.RunFolder;
import io.tlwb.Workspace;
import io.tlwb.data.ImagePipeline;
import io.tlwb.data.LabeledImage;
import io.tlwb.model.SavedModel;
import io.tlwb.model.TestTimeAugmentation;
import io.tlwb.pipeline.TrainingResult;
import io.tlwb.pretrained.Preprocessing;
import io.tlwb.testing.TinyTraining;
import java.nio.file.Path;
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
}
