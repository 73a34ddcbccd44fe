package io.tlwb.pipeline;

import io.tlwb.RunFolder;
import io.tlwb.WorkbenchException;
import io.tlwb.Workspace;
import io.tlwb.data.ImageDataset;
import io.tlwb.eval.EvaluationResult;
import io.tlwb.features.Pooling;
import io.tlwb.model.GraphSurgery;
import io.tlwb.model.HeadSpec;
import io.tlwb.model.RetrainableTop;
import io.tlwb.model.TestTimeAugmentation;
import io.tlwb.pretrained.PretrainedModel;
import io.tlwb.train.ClassWeighting;
import io.tlwb.train.EarlyStopping;
import io.tlwb.train.EpochStats;
import io.tlwb.train.FineTuner;
import io.tlwb.train.FineTuning;
import io.tlwb.train.HeadTrainer;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongConsumer;
import org.deeplearning4j.optimize.api.TrainingListener;

/**
 * The main job, step by step as the Keras tutorial: examine the data, build the input pipeline, stack a head on the
 * frozen base, evaluate it untrained, train (and optionally fine-tune), evaluate again, save the model with its card,
 * and keep a run folder.
 */
public final class TrainingJob {

    private final TransferPipeline pipeline;
    private final PrintWriter out;
    private final List<TrainingListener> listeners = new ArrayList<>();
    private LongConsumer iterationsPlanned = iterations -> { };

    /**
     * @param out      where the run reports what it does and finds
     * @param progress where progress bars go (stderr on the command line), or null for none
     */
    public TrainingJob(Workspace workspace, PrintWriter out, PrintStream progress) {
        this(new TransferPipeline(workspace, out, progress), out);
    }

    private TrainingJob(TransferPipeline pipeline, PrintWriter out) {
        this.pipeline = pipeline;
        this.out = out;
    }

    /** A job getting its features from {@code features} (e.g. a Spark cluster) rather than this machine. */
    public static TrainingJob featurizingWith(FeatureStore features, Workspace workspace, PrintWriter out) {
        return new TrainingJob(new TransferPipeline(workspace, out, features), out);
    }

    /** Listeners to attach to the graph while it trains (e.g. the dashboard's stats listener). */
    public TrainingJob addListeners(TrainingListener... more) {
        listeners.addAll(List.of(more));
        return this;
    }

    /** Told, once the data is scanned, how many iterations (minibatches) training will run, fine-tuning included. */
    public TrainingJob onIterationsPlanned(LongConsumer planned) {
        this.iterationsPlanned = planned;
        return this;
    }

    public TrainingResult run(PretrainedModel base, TrainingOptions asked, RunFolder run) {
        requireValid(base, asked);
        Map<String, Double> seconds = new LinkedHashMap<>();
        Timer timer = new Timer(seconds);
        ImageDataset data = timer.time("scan", () -> pipeline.open(asked.data(), run));
        HeadSpec spec = headSpec(base, asked, data);
        boolean streamed = pipeline.streamsTraining(data, asked.features(), spec.featureSize());
        TrainingOptions options = asked.withFineTuning(streamed ? fineTuningWhenStreamed(asked)
                : decideFineTuning(base, asked, data));
        iterationsPlanned.accept(options.iterations(data.train().size()));
        // with fine-tuning ahead, its activation maps come from the same decoding of each image
        FeatureSplits features = timer.time("featurize", () -> pipeline.featurize(base, options.features(),
                spec.cutLayer(), Pooling.AVERAGE, data, options.fineTuning() == null ? null
                        : options.fineTuning().frozenLayer()));
        Printer observer = new Printer(options.recipe().epochs()
                + (options.fineTuning() == null ? 0 : options.fineTuning().epochs()));
        HeadTrainer trainer = new HeadTrainer(spec, options.recipe().epochs(), options.recipe().batchSize())
                .optTta(options.features().tta())
                .optEarlyStopping(options.earlyStopping());
        listeners.forEach(trainer::addListeners);
        HeadTrainer.Outcome headStage = timer.time("train",
                () -> trainer.train(features.train(), features.validation(), observer));
        observer.stopped(headStage.earlyStopping());
        HeadTrainer.Outcome outcome = options.fineTuning() == null ? headStage
                : fineTune(base, options, data, headStage, observer, timer);
        observer.finalEvaluation(outcome.after(), options.features().tta());
        TransferPipeline.Saved saved = pipeline.save(base, outcome, data, options.features().imageSize(),
                options.toMap(), Map.of(), features.engine(), options.output(), run);
        seconds.put("total", timer.total());
        saved.metrics().put("seconds", seconds);
        TransferPipeline.writeMetrics(run, options.output(), saved.metrics());
        out.printf(Locale.ROOT, "model saved to %s%nrun folder %s (%.1f s in all)%n", saved.modelFile(), run.dir(),
                seconds.get("total"));
        return new TrainingResult(saved.model(), saved.modelFile(), run, data, outcome, seconds);
    }

    /** The head this run trains: its cut, classes and seed, weighted as asked, said on the console. */
    private HeadSpec headSpec(PretrainedModel base, TrainingOptions options, ImageDataset data) {
        HeadRecipe recipe = options.recipe();
        int[] perClass = data.countPerClass(data.train());
        HeadSpec spec = HeadSpec.of(base, data.classes(), recipe.cutLayer(), recipe.head(), options.data().seed())
                .withClassWeights(options.classWeighting().weights(perClass));
        warnIfImbalanced(perClass, options.classWeighting());
        out.printf(Locale.ROOT, "model: %s cut at %s (%d features), %d px input, %s; head: %s%n", base.spec(),
                spec.cutLayer(), spec.featureSize(), options.features().imageSize(), base.preprocessing().name(),
                spec.head());
        return spec;
    }

    /** Says when the largest class dwarfs the smallest and nothing weighs them, naming the flag that does. */
    private void warnIfImbalanced(int[] perClass, ClassWeighting weighting) {
        double imbalance = ClassWeighting.imbalance(perClass);
        if (imbalance >= ClassWeighting.IMBALANCE_WARNING && weighting == ClassWeighting.NONE) {
            out.printf(Locale.ROOT, "warning: the largest class has %.1fx the training images of the smallest; "
                    + "--class-weights balanced makes each class count the same%n", imbalance);
        }
    }

    /**
     * The fine-tuning this run does: as asked, or for {@code auto} the nearest residual block below the cut when the
     * smallest class has enough training images ({@link FineTuning#MIN_IMAGES_PER_CLASS}), else none; said on the
     * console either way.
     */
    private FineTuning decideFineTuning(PretrainedModel base, TrainingOptions options, ImageDataset data) {
        FineTuning asked = options.fineTuning();
        if (asked == null || !asked.isAutomatic()) {
            return asked;
        }
        int smallest = Arrays.stream(data.countPerClass(data.train())).min().orElse(0);
        String cut = base.cutLayerOr(options.recipe().cutLayer());
        Optional<String> boundary = RetrainableTop.nearestBlockBoundary(base, cut);
        if (smallest < FineTuning.MIN_IMAGES_PER_CLASS || boundary.isEmpty()) {
            out.printf(Locale.ROOT, "fine-tuning: off (%s; --fine-tune-from LAYER forces it)%n", boundary.isEmpty()
                    ? "no residual block below the cut " + cut
                    : "the smallest class has " + smallest + " training images, fewer than "
                            + FineTuning.MIN_IMAGES_PER_CLASS);
            return null;
        }
        out.printf(Locale.ROOT, "fine-tuning: from %s (the smallest class has %d training images, at least %d; "
                + "--no-fine-tune turns it off)%n", boundary.get(), smallest, FineTuning.MIN_IMAGES_PER_CLASS);
        return new FineTuning(boundary.get(), asked.epochs(), asked.learningRate());
    }

    /**
     * What needs every training feature at once cannot run on features streamed from the store: automatic fine-tuning
     * is off (said on the console), asked-for fine-tuning or early stopping is an error.
     */
    private FineTuning fineTuningWhenStreamed(TrainingOptions options) {
        String why = "the training features are streamed from the feature store (too many to hold here)";
        if (options.earlyStopping() != null) {
            throw new WorkbenchException("--early-stopping cannot run: " + why + "; train without it");
        }
        if (options.fineTuning() != null && !options.fineTuning().isAutomatic()) {
            throw new WorkbenchException("--fine-tune-from cannot run: " + why + "; train the head alone "
                    + "(--no-fine-tune), or fine-tune on a sample of the images with --data");
        }
        if (options.fineTuning() != null) {
            out.println("fine-tuning: off (" + why + ")");
        }
        return null;
    }

    /** The checks that need the base but no data: the output, the cut layer and the fine-tuning boundary. */
    private static void requireValid(PretrainedModel base, TrainingOptions options) {
        options.output().requireWritable();
        String cut = options.recipe().cutLayer();
        if (cut != null) {
            try {
                GraphSurgery.requireLayer(base.graph(), cut);
            } catch (IllegalArgumentException e) {
                throw new WorkbenchException("--cut-layer: " + e.getMessage());
            }
        }
        if (options.fineTuning() != null && !options.fineTuning().isAutomatic()) {
            try {
                RetrainableTop.requireBoundary(base, base.cutLayerOr(cut),
                        options.fineTuning().frozenLayer());
            } catch (IllegalArgumentException e) {
                throw new WorkbenchException("--fine-tune-from: " + e.getMessage());
            }
        }
    }

    /**
     * The second stage: activation maps of the frozen layer (featurized once, cached like pooled features), then the
     * layers above it retrained with the head.
     */
    private HeadTrainer.Outcome fineTune(PretrainedModel base, TrainingOptions options, ImageDataset data,
                                         HeadTrainer.Outcome headStage, HeadTrainer.Observer observer, Timer timer) {
        FineTuning fineTuning = options.fineTuning();
        out.printf(Locale.ROOT, "fine-tuning the layers above %s with the head: %d epochs at learning rate %s%n",
                fineTuning.frozenLayer(), fineTuning.epochs(), fineTuning.learningRate());
        FeatureSplits maps = timer.time("featurizeFineTuning", () -> pipeline.featurize(base, options.features(),
                fineTuning.frozenLayer(), Pooling.NONE, data));
        FineTuner tuner = new FineTuner(base, fineTuning, options.recipe().batchSize(), options.data().seed())
                .optTta(options.features().tta());
        listeners.forEach(tuner::addListeners);
        return timer.time("fineTune", () -> tuner.train(maps.trainInMemory("fine-tuning"), maps.validation(),
                headStage, observer));
    }

    /** Prints the untrained baseline, every epoch, where early stopping ended and the final evaluation. */
    private final class Printer implements HeadTrainer.Observer {
        private final int totalEpochs;

        Printer(int totalEpochs) {
            this.totalEpochs = totalEpochs;
        }

        @Override
        public void untrained(EvaluationResult baseline) {
            out.printf(Locale.ROOT, "untrained head on the validation split: accuracy %.4f  loss %.4f%n",
                    baseline.accuracy(), baseline.loss());
        }

        @Override
        public void epoch(EpochStats epoch) {
            out.printf(Locale.ROOT, "epoch %d/%d  loss %.4f  val_loss %.4f  val_accuracy %.4f  (%.1f s)%s%n",
                    epoch.epoch(), totalEpochs, epoch.trainLoss(), epoch.validationLoss(),
                    epoch.validationAccuracy(), epoch.seconds(), epoch.fineTuning() ? "  fine-tuning" : "");
        }

        void stopped(EarlyStopping.Result stopped) {
            if (stopped != null) {
                out.printf(Locale.ROOT, "early stopping: kept epoch %d of %d (held-out loss %.4f)%n",
                        stopped.bestEpoch(), stopped.epochsRun(), stopped.bestHeldOutLoss());
            }
        }

        void finalEvaluation(EvaluationResult after, TestTimeAugmentation tta) {
            out.println("after training, on the validation split" + (tta == TestTimeAugmentation.NONE ? ":"
                    : " (test-time augmentation: " + tta + "):"));
            out.print(after.toText());
        }
    }
}
