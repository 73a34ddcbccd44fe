package io.tlwb.serve;

import io.tlwb.model.SavedModel;
import java.nio.file.Path;

/**
 * One model the server answers for: its name in the URLs, where it was loaded from, its predictor and the batcher
 * that feeds it.
 */
record ServedModel(String name, Path file, String sha256, SavedModel saved, Predictor predictor,
                   DynamicBatcher batcher) {
}
