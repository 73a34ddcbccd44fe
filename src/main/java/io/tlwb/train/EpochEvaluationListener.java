package io.tlwb.train;

import io.tlwb.eval.Prediction;
import io.tlwb.eval.Evaluator;
import io.tlwb.features.FeatureSet;
import io.tlwb.model.TestTimeAugmentation;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.BaseTrainingListener;

/** Averages the training loss over each epoch and evaluates the head on the validation features after it. */
final class EpochEvaluationListener extends BaseTrainingListener {

    private final FeatureSet validation;
    private final Consumer<EpochStats> onEpoch;
    private final List<EpochStats> history = new ArrayList<>();
    private double lossSum;
    private int batches;
    private long epochStart = System.nanoTime();

    private final TestTimeAugmentation tta;

    private final int epochsBefore;
    private final boolean fineTuning;

    /**
     * @param epochsBefore epochs already trained in an earlier stage, so that numbering continues after them
     * @param fineTuning   whether this is the fine-tuning stage, as the epochs it reports will say
     */
    EpochEvaluationListener(FeatureSet validation, TestTimeAugmentation tta, int epochsBefore,
                            boolean fineTuning, Consumer<EpochStats> onEpoch) {
        this.epochsBefore = epochsBefore;
        this.fineTuning = fineTuning;
        this.validation = validation;
        this.tta = tta;
        this.onEpoch = onEpoch;
    }

    @Override
    public void onEpochStart(Model model) {
        lossSum = 0;
        batches = 0;
        epochStart = System.nanoTime();
    }

    @Override
    public void iterationDone(Model model, int iteration, int epoch) {
        lossSum += model.score();
        batches++;
    }

    @Override
    public void onEpochEnd(Model model) {
        List<Prediction> predictions = Predictions.of((ComputationGraph) model, validation, tta);
        EpochStats stats = new EpochStats(epochsBefore + history.size() + 1, lossSum / Math.max(1, batches),
                Evaluator.meanLoss(predictions), Evaluator.accuracy(predictions),
                (System.nanoTime() - epochStart) / 1e9, fineTuning);
        history.add(stats);
        onEpoch.accept(stats);
    }

    List<EpochStats> history() {
        return List.copyOf(history);
    }
}
