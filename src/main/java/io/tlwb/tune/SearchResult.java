package io.tlwb.tune;

import io.tlwb.RunFolder;
import io.tlwb.model.SavedModel;
import java.nio.file.Path;
import java.util.List;

/**
 * What a search leaves behind.
 *
 * @param trials    every trial, best first (failed ones last); includes the reference trial when there was one
 * @param best      the trial whose model was saved
 * @param reference the reference (defaults) trial, or null
 * @param stopped   why the search stopped: "candidate limit", "time limit" or "grid exhausted"
 */
public record SearchResult(List<Trial> trials, Trial best, Trial reference, SavedModel model, Path modelFile,
                           RunFolder run, String stopped, double seconds) {
}
