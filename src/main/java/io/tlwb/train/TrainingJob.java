package io.tlwb.train;

import io.tlwb.AtomicFiles;
import io.tlwb.Provenance;
import io.tlwb.RunFolder;
import io.tlwb.WorkbenchException;
import io.tlwb.Workspace;
import io.tlwb.data.Augmentation;
import io.tlwb.data.ImageDataset;
import io.tlwb.data.ImageFolders;
import io.tlwb.data.ImagePipeline;
import io.tlwb.data.SkippedFile;
import io.tlwb.eval.EvaluationResult;
import io.tlwb.features.FeatureCache;
import io.tlwb.features.FeatureExtractor;
import io.tlwb.features.FeatureSet;
import io.tlwb.features.Featurizer;
import io.tlwb.features.Featurizers;
import io.tlwb.features.Pooling;
import io.tlwb.model.GraphSurgery;
import io.tlwb.model.ModelCard;
import io.tlwb.model.RetrainableTop;
import io.tlwb.model.SavedModel;
import io.tlwb.model.TestTimeAugmentation;
import io.tlwb.model.TransferModel;
import io.tlwb.pretrained.PretrainedModel;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongConsumer;
import org.deeplearning4j.optimize.api.TrainingListener;

/**
 * The main job, step by step as the Keras tutorial: examine the data, build the input pipeline, stack a head on the
 * frozen base, evaluate it untrained, train, evaluate again, save the model with its card, and keep a run folder.
 */
public final class TrainingJob {

    private final Workspace workspace;
    private final PrintWriter out;
    private final PrintStream progress;
    private final List<TrainingListener> listeners = new ArrayList<>();
    private LongConsumer iterationsPlanned = iterations -> { };

    /**
     * @param out      where the run reports what it does and finds
     * @param progress where progress bars go (stderr on the command line), or null for none
     */
    public TrainingJob(Workspace workspace, PrintWriter out, PrintStream progress) {
        this.workspace = workspace;
        this.out = out;
        this.progress = progress;
    }

    /** Listeners to attach to the head graph while it trains (e.g. the dashboard's stats listener). */
    public TrainingJob addListeners(TrainingListener... more) {
        listeners.addAll(List.of(more));
        return this;
    }

    /** Told, once the data is scanned, how many iterations (minibatches) training will run, fine-tuning included. */
    public TrainingJob onIterationsPlanned(LongConsumer planned) {
        this.iterationsPlanned = planned;
        return this;
    }

    public TrainingResult run(PretrainedModel base, TrainingOptions options, RunFolder run) {
        if (options.modelOut() != null) {
            SavedModel.requireWritable(options.modelOut(), options.overwrite());
        }
        if (options.cutLayer() != null) {
            try {
                GraphSurgery.requireLayer(base.graph(), options.cutLayer());
            } catch (IllegalArgumentException e) {
                throw new WorkbenchException("--cut-layer: " + e.getMessage());
            }
        }
        Map<String, Double> seconds = new LinkedHashMap<>();
        long start = System.nanoTime();

        ImageDataset data = ImageFolders.open(options.data(), options.validationSplit(), options.seed());
        seconds.put("scan", elapsed(start));
        describe(data, run);
        long perEpoch = (data.train().size() + options.batchSize() - 1) / options.batchSize();
        iterationsPlanned.accept(perEpoch * (options.epochs()
                + (options.fineTuning() == null ? 0 : options.fineTuning().epochs())));

        TransferModel model = TransferModel.builder().setBase(base).setClasses(data.classes())
                .optCutLayer(options.cutLayer()).optHead(options.head()).optSeed(options.seed()).build();
        if (options.fineTuning() != null) {
            try {
                RetrainableTop.requireBoundary(model, options.fineTuning().frozenLayer());
            } catch (IllegalArgumentException e) {
                throw new WorkbenchException("--fine-tune-from: " + e.getMessage());
            }
        }
        out.printf(Locale.ROOT, "model: %s cut at %s (%d features), %d px input, %s; head: %s%n", base.spec(),
                model.cutLayer(), model.featureSize(), options.imageSize(), base.preprocessing().name(), model.head());

        long t = System.nanoTime();
        Splits features = featurize(base, model.cutLayer(), Pooling.AVERAGE, data, options);
        seconds.put("featurize", elapsed(t));

        t = System.nanoTime();
        HeadTrainer trainer = new HeadTrainer(model, options.epochs(), options.batchSize(), options.seed())
                .optTta(options.tta());
        listeners.forEach(trainer::addListeners);
        FineTuning fineTuning = options.fineTuning();
        int totalEpochs = options.epochs() + (fineTuning == null ? 0 : fineTuning.epochs());
        HeadTrainer.Observer observer = new HeadTrainer.Observer() {
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
        };
        HeadTrainer.Outcome outcome = trainer.train(features.train(), features.validation(), observer);
        seconds.put("train", elapsed(t));
        if (fineTuning != null) {
            outcome = fineTune(base, model, data, options, outcome, observer, seconds);
        }

        out.println("after training, on the validation split" + (options.tta() == TestTimeAugmentation.NONE ? ":"
                : " (test-time augmentation: " + options.tta() + "):"));
        out.print(outcome.after().toText());

        Map<String, Object> metrics = metrics(data, outcome);
        metrics.put("engine", features.engine());
        Path modelFile = modelFile(workspace, options, data, run);
        SavedModel saved = saveModel(model, base, data, options, metrics, modelFile);
        seconds.put("total", elapsed(start));

        metrics.put("seconds", seconds);
        run.writeJson("config.json", Map.of("options", options.toMap(), "weights", Map.of("spec", base.spec(),
                "sha256", base.sha256()), "engine", features.engine(), "provenance", saved.card().provenance()));
        run.writeJson("metrics.json", metrics);
        if (options.metricsJson() != null) {
            RunFolder.writeJson(options.metricsJson(), metrics);
        }
        out.printf(Locale.ROOT, "model saved to %s%nrun folder %s (%.1f s in all)%n", modelFile, run.dir(),
                seconds.get("total"));
        return new TrainingResult(saved, modelFile, run, data, outcome, seconds);
    }

    /**
     * The second stage: activation maps of the frozen layer (featurized once, cached like pooled features), then the
     * layers above it retrained with the head.
     */
    private HeadTrainer.Outcome fineTune(PretrainedModel base, TransferModel model, ImageDataset data,
                                         TrainingOptions options, HeadTrainer.Outcome headStage,
                                         HeadTrainer.Observer observer, Map<String, Double> seconds) {
        FineTuning fineTuning = options.fineTuning();
        out.printf(Locale.ROOT, "fine-tuning the layers above %s with the head: %d epochs at learning rate %s%n",
                fineTuning.frozenLayer(), fineTuning.epochs(), fineTuning.learningRate());
        long t = System.nanoTime();
        Splits maps = featurize(base, fineTuning.frozenLayer(), Pooling.NONE, data, options);
        seconds.put("featurizeFineTuning", elapsed(t));
        t = System.nanoTime();
        FineTuner tuner = new FineTuner(model, fineTuning, options.batchSize(), options.seed()).optTta(options.tta());
        listeners.forEach(tuner::addListeners);
        HeadTrainer.Outcome outcome = tuner.train(maps.train(), maps.validation(), headStage, observer);
        seconds.put("fineTune", elapsed(t));
        return outcome;
    }

    /** Both splits' features and what computed them (the engine, or the DL4J graph it fell back to). */
    private record Splits(FeatureSet train, FeatureSet validation, String engine) {
    }

    /**
     * Features of both splits at {@code layer}, from the cache where present: the training augmentation's views, and
     * for the validation images the mirrored view too when flip test-time augmentation needs it.
     */
    private Splits featurize(PretrainedModel base, String layer, Pooling pooling, ImageDataset data,
                             TrainingOptions options) {
        Featurizer featurizer = Featurizers.create(base, layer, options.imageSize(), pooling);
        out.printf("frozen base up to %s runs on: %s%n", layer, featurizer.engine());
        FeatureExtractor extractor = new FeatureExtractor(featurizer,
                new ImagePipeline(options.imageSize(), base.preprocessing()),
                new FeatureCache(workspace.featureCacheDir(), featurizer.cacheKey()), options.batchSize(), progress);
        return new Splits(extractor.extract("train", data.train(), data.numClasses(), options.augmentation()),
                extractor.extract("validation", data.validation(), data.numClasses(),
                        options.tta() == TestTimeAugmentation.FLIP ? Augmentation.FLIP : Augmentation.NONE),
                featurizer.engine());
    }

    private void describe(ImageDataset data, RunFolder run) {
        out.printf(Locale.ROOT, "data: %s - %s%n", data.root(), data.summary());
        int[] train = data.countPerClass(data.train());
        int[] validation = data.countPerClass(data.validation());
        for (int c = 0; c < data.numClasses(); c++) {
            out.printf(Locale.ROOT, "  %-20s %5d train %5d validation%n", data.classes().get(c), train[c], validation[c]);
        }
        Path list = run.file("skipped.txt");
        try {
            AtomicFiles.writeString(list, data.skippedReport());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + list, e);
        }
        if (!data.skipped().isEmpty()) {
            SkippedFile first = data.skipped().get(0);
            out.printf("skipped %d unusable file%s (e.g. %s: %s); full list in %s%n", data.skipped().size(),
                    data.skipped().size() == 1 ? "" : "s", data.relative(first.file()), first.reason(), list);
        }
    }

    /**
     * Saves a trained model with its card: the one place {@code train} and {@code search} write model zips.
     *
     * @param metrics the card's validation figures, as {@link #metrics} makes them (callers may add entries)
     */
    public static SavedModel saveModel(TransferModel model, PretrainedModel base, ImageDataset data,
                                       TrainingOptions options, Map<String, Object> metrics, Path modelFile) {
        SavedModel saved = new SavedModel(model.graph(), new ModelCard(ModelCard.FORMAT, data.classes(),
                options.imageSize(), base.preprocessing().name(), base.spec(), base.sha256(), model.cutLayer(),
                model.trainedLayerNames(), model.head(), options.toMap(), metrics, data.fingerprint(),
                Provenance.current()));
        saved.save(modelFile, options.overwrite());
        return saved;
    }

    /** {@code options.modelOut()}, or a fresh file under {@code models/} named after the data and the run. */
    public static Path modelFile(Workspace workspace, TrainingOptions options, ImageDataset data, RunFolder run) {
        return options.modelOut() != null ? options.modelOut()
                : workspace.modelsDir().resolve(data.root().getFileName() + "-" + run.id() + ".zip");
    }

    /** The validation figures a model card and {@code metrics.json} carry: before/after, confusion, history. */
    public static Map<String, Object> metrics(ImageDataset data, HeadTrainer.Outcome outcome) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("classes", data.classes());
        m.put("before", outcome.before().summary());
        m.put("after", outcome.after().toMap());
        m.put("confusion", outcome.after().confusion());
        m.put("history", outcome.history());
        m.put("skipped", data.skipped().size());
        m.put("datasetFingerprint", data.fingerprint());
        return m;
    }

    private static double elapsed(long since) {
        return (System.nanoTime() - since) / 1e9;
    }
}
