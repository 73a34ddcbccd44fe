package io.tlwb.tune;

import io.tlwb.pipeline.HeadRecipe;
import io.tlwb.train.HeadTrainer;

/**
 * What one candidate's training produced: its recipe and outcome, the trained head a value without the base (the
 * best one is joined with the base once, when the search saves it).
 */
record TrainedCandidate(int index, HeadRecipe candidate, HeadTrainer.Outcome outcome) {
}
