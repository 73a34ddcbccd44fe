package io.tlwb.pipeline;

import io.tlwb.RunFolder;
import io.tlwb.Workspace;
import io.tlwb.data.ImageDataset;
import io.tlwb.model.SavedModel;
import java.nio.file.Path;

/**
 * Where a run's model and extra metrics go.
 *
 * @param modelOut    where to save the model, or null for a fresh file under {@code models/}
 * @param overwrite   whether {@code modelOut} may replace an existing file
 * @param metricsJson an extra copy of the metrics, or null
 */
public record OutputSpec(Path modelOut, boolean overwrite, Path metricsJson) {

    /** A fresh model file under {@code models/}, no extra metrics. */
    public static final OutputSpec DEFAULT = new OutputSpec(null, false, null);

    /** Fails, before any work, when {@code modelOut} exists and may not be replaced. */
    public void requireWritable() {
        if (modelOut != null) {
            SavedModel.requireWritable(modelOut, overwrite);
        }
    }

    /**
     * {@code modelOut}, or a fresh file under {@code models/} named after the data (a folder, or a manifest or store
     * without its extension) and the run.
     */
    Path modelFile(Workspace workspace, ImageDataset data, RunFolder run) {
        String name = data.root().getFileName().toString().replaceFirst("\\.(csv|CSV|parquet)$", "");
        return modelOut != null ? modelOut : workspace.modelsDir().resolve(name + "-" + run.id() + ".zip");
    }
}
