package io.tlwb.pipeline;

import io.tlwb.RunFolder;
import io.tlwb.data.ImageDataset;
import io.tlwb.model.SavedModel;
import io.tlwb.train.HeadTrainer;
import java.nio.file.Path;
import java.util.Map;

/** What a training run leaves behind: the saved model, the run folder, and the numbers. */
public record TrainingResult(SavedModel model, Path modelFile, RunFolder run, ImageDataset dataset,
                             HeadTrainer.Outcome outcome, Map<String, Double> secondsByStep) {
}
