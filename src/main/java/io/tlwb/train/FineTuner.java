package io.tlwb.train;

import io.tlwb.OpenMpThreads;
import io.tlwb.eval.EvaluationResult;
import io.tlwb.eval.Evaluator;
import io.tlwb.features.FeatureSet;
import io.tlwb.model.RetrainableTop;
import io.tlwb.model.TestTimeAugmentation;
import io.tlwb.model.TrainedHead;
import io.tlwb.model.TransferModel;
import io.tlwb.pretrained.PretrainedModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.deeplearning4j.optimize.api.TrainingListener;

/**
 * The fine-tuning stage: after {@link HeadTrainer}, retrains the base's layers above a frozen layer together with the
 * head ({@link RetrainableTop}), on cached activation maps of that layer; the result is a {@link TrainedHead} that
 * also carries the retrained base layers.
 */
public final class FineTuner {

    private final PretrainedModel base;
    private final FineTuning settings;
    private final int batchSize;
    private final long seed;
    private final List<TrainingListener> listeners = new ArrayList<>();
    private TestTimeAugmentation tta = TestTimeAugmentation.NONE;

    public FineTuner(PretrainedModel base, FineTuning settings, int batchSize, long seed) {
        this.base = base;
        this.settings = Objects.requireNonNull(settings);
        this.batchSize = batchSize;
        this.seed = seed;
    }

    /** Adds listeners to the fine-tuned graph while it trains. */
    public FineTuner addListeners(TrainingListener... more) {
        listeners.addAll(List.of(more));
        return this;
    }

    /** As {@link HeadTrainer#optTta}: the validation maps must then hold the mirrored view too. */
    public FineTuner optTta(TestTimeAugmentation tta) {
        this.tta = Objects.requireNonNull(tta);
        return this;
    }

    /**
     * Fine-tunes the layers above the frozen layer, starting from the base and the head as {@code headStage} left it.
     *
     * @param train      activation maps of {@link FineTuning#frozenLayer()} for the training images (their views are
     *                   the augmentation, as for the head)
     * @param validation the same for the validation images
     * @param headStage  what head training produced; the epochs continue its numbering
     * @return the retrained head, the untrained baseline of the head stage, the evaluation after fine-tuning, and
     *         both stages' epochs
     */
    public HeadTrainer.Outcome train(FeatureSet train, FeatureSet validation, HeadTrainer.Outcome headStage,
                                     HeadTrainer.Observer observer) {
        // ND4J's elementwise ops on one core, the 1x1 convolutions' products (Sgemm) on every core
        return OpenMpThreads.call(1, () -> trainHere(train, validation, headStage, observer));
    }

    private HeadTrainer.Outcome trainHere(FeatureSet train, FeatureSet validation, HeadTrainer.Outcome headStage,
                                          HeadTrainer.Observer observer) {
        TransferModel model = TransferModel.assemble(base, headStage.trained());
        RetrainableTop top = RetrainableTop.of(model, settings.frozenLayer(), train.rowShape(),
                model.head().updater().create(settings.learningRate()));
        int headEpochs = headStage.history().size();
        int headIterations = headEpochs * ((train.size() + batchSize - 1) / batchSize);
        EpochEvaluationListener perEpoch = new EpochEvaluationListener(validation, tta, headEpochs,
                true, observer::epoch);
        List<TrainingListener> all = new ArrayList<>();
        listeners.forEach(l -> all.add(new ContinuedNumbering(l, headIterations, headEpochs)));
        all.add(perEpoch);
        HeadTrainer.fit(top.graph(), train, settings.epochs(), batchSize, seed, all);
        EvaluationResult after = Evaluator.evaluate(model.classes(), Predictions.of(top.graph(), validation, tta));
        List<EpochStats> history = new ArrayList<>(headStage.history());
        history.addAll(perEpoch.history());
        return new HeadTrainer.Outcome(top.retrained(model), headStage.before(), after, history,
                headStage.earlyStopping());
    }
}
