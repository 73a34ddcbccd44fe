package io.tlwb.tune;

import io.tlwb.model.TransferModel;
import io.tlwb.train.HeadTrainer;

/** What one candidate's training produced: the model (trained head in the full graph) and its evaluations. */
record TrainedHead(int index, HeadCandidate candidate, TransferModel model, HeadTrainer.Outcome outcome) {
}
