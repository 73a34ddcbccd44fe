package io.tlwb.train;

import io.tlwb.OpenMpThreads;
import io.tlwb.eval.EvaluationResult;
import io.tlwb.eval.Evaluator;
import io.tlwb.WorkbenchException;
import io.tlwb.features.FeatureSet;
import io.tlwb.features.MinibatchIterator;
import io.tlwb.features.TrainingRows;
import io.tlwb.model.HeadSpec;
import io.tlwb.model.StandardizedFit;
import io.tlwb.model.TestTimeAugmentation;
import io.tlwb.model.TrainedHead;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.deeplearning4j.earlystopping.EarlyStoppingConfiguration;
import org.deeplearning4j.earlystopping.EarlyStoppingResult;
import org.deeplearning4j.earlystopping.saver.InMemoryModelSaver;
import org.deeplearning4j.earlystopping.scorecalc.DataSetLossCalculator;
import org.deeplearning4j.earlystopping.termination.MaxEpochsTerminationCondition;
import org.deeplearning4j.earlystopping.termination.ScoreImprovementEpochTerminationCondition;
import org.deeplearning4j.earlystopping.trainer.EarlyStoppingGraphTrainer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Trains a head on cached pooled features; the result is a {@link TrainedHead} value, joined with the base only when
 * the model is saved.
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

    /**
     * What training produced: the trained head, the evaluations before and after, the per-epoch curve, and how early
     * stopping ended (null without it).
     */
    public record Outcome(TrainedHead trained, EvaluationResult before, EvaluationResult after,
                          List<EpochStats> history, EarlyStopping.Result earlyStopping) {

        public Outcome(TrainedHead trained, EvaluationResult before, EvaluationResult after, List<EpochStats> history) {
            this(trained, before, after, history, null);
        }
    }

    private final HeadSpec spec;
    private final int epochs;
    private final int batchSize;
    private final List<TrainingListener> listeners = new ArrayList<>();
    private TestTimeAugmentation tta = TestTimeAugmentation.NONE;
    private EarlyStopping earlyStopping;

    /** Trains a head of {@code spec}, seeded by its seed. */
    public HeadTrainer(HeadSpec spec, int epochs, int batchSize) {
        if (epochs < 1 || batchSize < 1) {
            throw new IllegalArgumentException("epochs and batch size must be >= 1, got " + epochs + " and " + batchSize);
        }
        this.spec = spec;
        this.epochs = epochs;
        this.batchSize = batchSize;
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

    /** Stops when the loss on a held-out slice of the training features stops improving, keeping the best epoch. */
    public HeadTrainer optEarlyStopping(EarlyStopping settings) {
        this.earlyStopping = settings;
        return this;
    }

    /** Evaluates the untrained head, trains for the configured epochs and evaluates again. */
    public Outcome train(TrainingRows train, FeatureSet validation, Observer observer) {
        return OpenMpThreads.call(1, () -> trainHere(train, validation, observer));
    }

    private Outcome trainHere(TrainingRows train, FeatureSet validation, Observer observer) {
        if (earlyStopping != null) {
            if (!(train instanceof FeatureSet inMemory)) {
                throw new WorkbenchException("--early-stopping holds rows out of the training features, which are "
                        + "streamed from the feature store here (too large to hold): train without it");
            }
            return trainWithEarlyStopping(inMemory, validation, observer);
        }
        Start start = start(train, validation, observer);
        fit(start.fit().trainable(), start.batches(train, batchSize), epochs, spec.seed(), start.listeners());
        return start.outcome(start.fit().trainable(), validation, null);
    }

    /**
     * A fresh head split for training ({@link StandardizedFit}), its untrained evaluation (told to the observer), and
     * the listeners training runs with; the per-epoch curve reads the validation features standardized once.
     */
    private record Start(HeadSpec spec, TestTimeAugmentation tta, StandardizedFit fit, EvaluationResult before,
                         EpochEvaluationListener perEpoch, List<TrainingListener> listeners) {

        /**
         * Seeded minibatches of {@code rows} with the head's standardization applied, as the trainable graph reads
         * them: rows held in memory are standardized once (per batch, the layer's two fresh arrays cost a fifth of the
         * head's training; the values are the same, it is elementwise), streamed rows batch by batch.
         */
        MinibatchIterator batches(TrainingRows rows, int batchSize) {
            if (rows instanceof FeatureSet inMemory) {
                return inMemory.withViews(fit::standardized).batches(batchSize, spec.seed());
            }
            MinibatchIterator batches = rows.batches(batchSize, spec.seed());
            batches.setPreProcessor(batch -> batch.setFeatures(fit.standardized(batch.getFeatures())));
            return batches;
        }

        /** The whole head with {@code trained}'s parameters, evaluated on the validation features as they are. */
        Outcome outcome(ComputationGraph trained, FeatureSet validation, EarlyStopping.Result stopped) {
            ComputationGraph head = fit.headWith(trained);
            EvaluationResult after = Evaluator.evaluate(spec.classes(), Predictions.of(head, validation, tta));
            return new Outcome(TrainedHead.of(spec, head), before, after, perEpoch.history(), stopped);
        }
    }

    /** @param fitOn the rows the head will fit (their statistics fix the standardization) */
    private Start start(TrainingRows fitOn, FeatureSet validation, Observer observer) {
        Nd4j.getRandom().setSeed(spec.seed());
        ComputationGraph head = spec.newHeadGraph(fitOn.statistics());
        EvaluationResult before = Evaluator.evaluate(spec.classes(), Predictions.of(head, validation, tta));
        observer.untrained(before);
        StandardizedFit fit = StandardizedFit.of(spec, head);
        EpochEvaluationListener perEpoch = new EpochEvaluationListener(validation.withViews(fit::standardized), tta, 0,
                false, observer::epoch);
        List<TrainingListener> all = new ArrayList<>(listeners);
        all.add(perEpoch);
        return new Start(spec, tta, fit, before, perEpoch, all);
    }

    /**
     * As {@link #train}, with DL4J's early-stopping trainer: the head fits the training rows not held out, the held-out
     * rows' loss is scored after every epoch, and the best epoch's head (kept in memory) is the result.
     */
    private Outcome trainWithEarlyStopping(FeatureSet train, FeatureSet validation, Observer observer) {
        EarlyStopping.Split split = earlyStopping.split(train, spec.seed());
        Start start = start(split.fit(), validation, observer);
        ComputationGraph trainable = start.fit().trainable();
        trainable.setListeners(start.listeners());
        EarlyStoppingConfiguration<ComputationGraph> conf = new EarlyStoppingConfiguration.Builder<ComputationGraph>()
                .epochTerminationConditions(new MaxEpochsTerminationCondition(epochs),
                        new ScoreImprovementEpochTerminationCondition(earlyStopping.patience()))
                .scoreCalculator(new DataSetLossCalculator(start.batches(split.watch(), batchSize), true))
                .evaluateEveryNEpochs(1)
                .modelSaver(new InMemoryModelSaver<>())
                .build();
        Nd4j.getRandom().setSeed(spec.seed());
        EarlyStoppingResult<ComputationGraph> result = new EarlyStoppingGraphTrainer(conf, trainable,
                start.batches(split.fit(), batchSize)).fit();
        trainable.setListeners(List.of());
        return start.outcome(result.getBestModel(), validation, new EarlyStopping.Result(
                result.getBestModelEpoch() + 1, result.getTotalEpochs(),
                result.getScoreVsEpoch().get(result.getBestModelEpoch()))); // getBestModelScore() is 0 in M2.1
    }

    /**
     * The training loop itself, on a head graph from {@link HeadSpec#newHeadGraph}: seeded minibatches over
     * the cached features (one view per image per epoch), with the listeners attached while it runs.
     */
    public static void fit(ComputationGraph head, TrainingRows train, int epochs, int batchSize, long seed,
                           List<TrainingListener> listeners) {
        fit(head, train.batches(batchSize, seed), epochs, seed, listeners);
    }

    private static void fit(ComputationGraph graph, MinibatchIterator batches, int epochs, long seed,
                            List<TrainingListener> listeners) {
        graph.setListeners(listeners);
        Nd4j.getRandom().setSeed(seed);
        // DL4J's fit is done with a batch when it asks for the next (it does not prefetch a MinibatchIterator)
        graph.fit(batches.releasingEachBatch(), epochs);
        graph.setListeners(List.of());
    }
}
