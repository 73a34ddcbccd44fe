package io.tlwb.train;

import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Shows a listener the fine-tuning stage's iterations and epochs numbered on from the head stage's, so a dashboard
 * draws one curve. The graph's own counters restart at zero, as a new optimizer's must: Adam's bias correction
 * depends on them.
 */
final class ContinuedNumbering implements TrainingListener {

    private final TrainingListener delegate;
    private final int iterationsBefore;
    private final int epochsBefore;

    ContinuedNumbering(TrainingListener delegate, int iterationsBefore, int epochsBefore) {
        this.delegate = delegate;
        this.iterationsBefore = iterationsBefore;
        this.epochsBefore = epochsBefore;
    }

    @Override
    public void iterationDone(Model model, int iteration, int epoch) {
        delegate.iterationDone(model, iterationsBefore + iteration, epochsBefore + epoch);
    }

    @Override
    public void onEpochStart(Model model) {
        delegate.onEpochStart(model);
    }

    @Override
    public void onEpochEnd(Model model) {
        delegate.onEpochEnd(model);
    }

    @Override
    public void onForwardPass(Model model, List<INDArray> activations) {
        delegate.onForwardPass(model, activations);
    }

    @Override
    public void onForwardPass(Model model, Map<String, INDArray> activations) {
        delegate.onForwardPass(model, activations);
    }

    @Override
    public void onGradientCalculation(Model model) {
        delegate.onGradientCalculation(model);
    }

    @Override
    public void onBackwardPass(Model model) {
        delegate.onBackwardPass(model);
    }
}
