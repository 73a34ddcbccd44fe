package io.tlwb.tune;

import io.tlwb.pipeline.HeadRecipe;
import java.io.IOException;
import java.util.List;
import org.deeplearning4j.arbiter.optimize.api.OptimizationResult;
import org.deeplearning4j.arbiter.optimize.api.saving.ResultReference;
import org.deeplearning4j.arbiter.optimize.api.saving.ResultSaver;

/**
 * Arbiter's result saver for the search: keeps every candidate's result but only the best candidate's model (a full
 * transfer model is a copy of the base), which the search saves as a model zip at the end. "Best" is the better score
 * in the metric's direction; equal scores go to the lower validation loss, then to the earlier candidate.
 */
final class BestHeadSaver implements ResultSaver {

    private ScoreMetric metric;
    private transient TrainedCandidate best;
    private transient double bestScore;

    private BestHeadSaver() {
    }

    BestHeadSaver(ScoreMetric metric) {
        this.metric = metric;
    }

    @Override
    public synchronized ResultReference saveModel(OptimizationResult result, Object model) {
        TrainedCandidate head = (TrainedCandidate) model;
        offer(head, result.getScore());
        return new ResultReference() {
            @Override
            public OptimizationResult getResult() {
                return result;
            }

            @Override
            public Object getResultModel() throws IOException {
                synchronized (BestHeadSaver.this) {
                    if (best != head) {
                        throw new IOException("candidate " + result.getIndex() + " was not the best; only the best "
                                + "candidate's model is kept");
                    }
                    return head;
                }
            }
        };
    }

    /** Keeps {@code head} if it beats the current best. Also used for the reference (default) head. */
    synchronized void offer(TrainedCandidate head, double score) {
        if (best == null || better(score, head.outcome().after().loss(), bestScore, best.outcome().after().loss())) {
            best = head;
            bestScore = score;
        }
    }

    synchronized TrainedCandidate best() {
        return best;
    }

    private boolean better(double score, double loss, double otherScore, double otherLoss) {
        if (score != otherScore) {
            return metric.minimize() ? score < otherScore : score > otherScore;
        }
        return loss < otherLoss;
    }

    @Override
    public List<Class<?>> getSupportedCandidateTypes() {
        return List.of(HeadRecipe.class);
    }

    @Override
    public List<Class<?>> getSupportedModelTypes() {
        return List.of(TrainedCandidate.class);
    }

    @Override
    public String toString() {
        return "best head kept in memory, saved as a model zip when the search ends";
    }
}
