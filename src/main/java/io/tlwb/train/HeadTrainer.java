package io.tlwb.train;

import io.tlwb.eval.EvaluationResult;
import io.tlwb.eval.Evaluator;
import io.tlwb.features.FeatureSet;
import io.tlwb.model.TestTimeAugmentation;
import io.tlwb.model.TransferModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Trains a transfer model's head on cached pooled features, then copies it into the full graph.
 * Progress, per-epoch evaluation and dashboard stats are DL4J {@link TrainingListener}s on the head graph.
 */
public final class HeadTrainer {

    /** Hears how training goes: the untrained baseline first, then every epoch. */
    @FunctionalInterface
    public interface Observer {
        default void untrained(EvaluationResult baseline) {
        }

        void epoch(EpochStats stats);
    }

    /** What training produced: the evaluations before and after, and the per-epoch curve between them. */
    public record Outcome(EvaluationResult before, EvaluationResult after, List<EpochStats> history) {
    }

    private final TransferModel model;
    private final int epochs;
    private final int batchSize;
    private final long seed;
    private final List<TrainingListener> listeners = new ArrayList<>();
    private TestTimeAugmentation tta = TestTimeAugmentation.NONE;

    public HeadTrainer(TransferModel model, int epochs, int batchSize, long seed) {
        if (epochs < 1 || batchSize < 1) {
            throw new IllegalArgumentException("epochs and batch size must be >= 1, got " + epochs + " and " + batchSize);
        }
        this.model = model;
        this.epochs = epochs;
        this.batchSize = batchSize;
        this.seed = seed;
    }

    /** Adds listeners (progress bars, the dashboard's stats listener) to the head graph during training. */
    public HeadTrainer addListeners(TrainingListener... more) {
        listeners.addAll(List.of(more));
        return this;
    }

    /**
     * Evaluates with test-time augmentation: the validation features must then hold the mirrored view too
     * ({@code Augmentation.FLIP} extraction).
     */
    public HeadTrainer optTta(TestTimeAugmentation tta) {
        this.tta = Objects.requireNonNull(tta);
        return this;
    }

    /**
     * Evaluates the untrained head, trains for the configured epochs, evaluates again, and leaves the trained head
     * in {@code model.graph()}.
     */
    public Outcome train(FeatureSet train, FeatureSet validation, Observer observer) {
        Nd4j.getRandom().setSeed(seed);
        ComputationGraph head = model.newHeadGraph(train.features());
        EvaluationResult before = Evaluator.evaluate(model.classes(), Predictions.of(head, validation, tta));
        observer.untrained(before);
        EpochEvaluationListener perEpoch = new EpochEvaluationListener(validation, model.classes(), tta, 0, false, observer::epoch);
        List<TrainingListener> all = new ArrayList<>(listeners);
        all.add(perEpoch);
        fit(head, train, epochs, batchSize, seed, all);
        EvaluationResult after = Evaluator.evaluate(model.classes(), Predictions.of(head, validation, tta));
        model.copyHeadFrom(head);
        return new Outcome(before, after, perEpoch.history());
    }

    /**
     * The training loop itself, on a head graph from {@link TransferModel#newHeadGraph}: seeded minibatches over
     * the cached features (one view per image per epoch), with the listeners attached while it runs.
     */
    public static void fit(ComputationGraph head, FeatureSet train, int epochs, int batchSize, long seed,
                           List<TrainingListener> listeners) {
        head.setListeners(listeners);
        Nd4j.getRandom().setSeed(seed);
        head.fit(new FeatureBatchIterator(train, batchSize, seed), epochs);
        head.setListeners(List.of());
    }
}
