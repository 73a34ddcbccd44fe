package io.tlwb.pipeline;

import io.tlwb.AtomicFiles;
import io.tlwb.Provenance;
import io.tlwb.RunFolder;
import io.tlwb.Workspace;
import io.tlwb.data.ImageDataset;
import io.tlwb.data.SkippedFile;
import io.tlwb.features.Pooling;
import io.tlwb.model.ModelCard;
import io.tlwb.model.SavedModel;
import io.tlwb.model.TrainedHead;
import io.tlwb.model.TransferModel;
import io.tlwb.pretrained.PretrainedModel;
import io.tlwb.train.HeadTrainer;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The steps every job shares, in the order they run: open the data, featurize it through the frozen base (a
 * {@link FeatureStore}: cached on this machine by default), and, once a head is trained, join it with the base and
 * save the model with its card and the run's records.
 * {@link TrainingJob} and {@code tune.HyperparameterSearch} are its callers; neither reaches into the other.
 */
public final class TransferPipeline {

    /** The key of the model card's training settings that records the run folder (its report lives there). */
    public static final String RUN_KEY = "runFolder";

    private final Workspace workspace;
    private final PrintWriter out;
    private final FeatureStore features;

    /**
     * A pipeline featurizing on this machine ({@link LocalFeatureStore}).
     *
     * @param out      where the steps report what they do and find
     * @param progress where progress bars go (stderr on the command line), or null for none
     */
    public TransferPipeline(Workspace workspace, PrintWriter out, PrintStream progress) {
        this(workspace, out, new LocalFeatureStore(workspace, out, progress));
    }

    /** A pipeline getting its features from {@code features}. */
    public TransferPipeline(Workspace workspace, PrintWriter out, FeatureStore features) {
        this.workspace = workspace;
        this.out = out;
        this.features = features;
    }

    /**
     * Scans and splits the images (or lists those the feature store holds), says what it found, and lists unusable
     * files in {@code run/skipped.txt}.
     */
    public ImageDataset open(DataSpec spec, RunFolder run) {
        ImageDataset data = features.open(spec);
        out.printf(Locale.ROOT, "data: %s - %s%n", data.root(), data.summary());
        int[] train = data.countPerClass(data.train());
        int[] validation = data.countPerClass(data.validation());
        for (int c = 0; c < data.numClasses(); c++) {
            out.printf(Locale.ROOT, "  %-20s %5d train %5d validation%n", data.classes().get(c), train[c],
                    validation[c]);
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
        return data;
    }

    /** Whether the feature store streams the training features of {@code data} ({@link FeatureStore#streamsTraining}). */
    public boolean streamsTraining(ImageDataset data, FeatureSpec spec, int featureSize) {
        return features.streamsTraining(data, spec, featureSize);
    }

    /** Both splits' features at {@code layer}, from the feature store. */
    public FeatureSplits featurize(PretrainedModel base, FeatureSpec spec, String layer, Pooling pooling,
                                   ImageDataset data) {
        return features.featurize(base, spec, layer, pooling, data);
    }

    /**
     * As {@link #featurize(PretrainedModel, FeatureSpec, String, Pooling, ImageDataset)}, caching on the way the
     * activation maps at {@code alsoMapsAt} (or null for none) that fine-tuning reads next.
     */
    public FeatureSplits featurize(PretrainedModel base, FeatureSpec spec, String layer, Pooling pooling,
                                   ImageDataset data, String alsoMapsAt) {
        return features.featurize(base, spec, layer, pooling, data, alsoMapsAt);
    }

    /** What {@link #save} wrote. */
    public record Saved(SavedModel model, Path modelFile, Map<String, Object> metrics) {
    }

    /**
     * Joins {@code outcome}'s trained head with {@code base}, saves the model zip with its card, and writes the run's
     * {@code config.json}. The metrics it returns go to {@link #writeMetrics} once the job adds its timings.
     *
     * @param settings    how the head was trained, as the card and {@code config.json} record it
     * @param extra       more figures for the card and {@code metrics.json} (e.g. the search's), merged in
     * @param engine      what computed the features the head trained on
     */
    public Saved save(PretrainedModel base, HeadTrainer.Outcome outcome, ImageDataset data, int imageSize,
                      Map<String, Object> settings, Map<String, Object> extra, String engine, OutputSpec output,
                      RunFolder run) {
        Map<String, Object> recorded = new LinkedHashMap<>(settings);
        recorded.put(RUN_KEY, run.dir().toAbsolutePath().normalize().toString());
        Map<String, Object> metrics = new LinkedHashMap<>(metrics(data, outcome));
        metrics.putAll(extra);
        metrics.put("engine", engine);
        TrainedHead head = outcome.trained();
        SavedModel saved = new SavedModel(TransferModel.assemble(base, head).graph(), new ModelCard(ModelCard.FORMAT,
                data.classes(), imageSize, base.preprocessing().name(), base.spec(), base.sha256(),
                head.spec().cutLayer(), head.trainedLayerNames(), head.spec().head(), recorded, metrics,
                data.fingerprint(), Provenance.current()));
        Path modelFile = output.modelFile(workspace, data, run);
        saved.save(modelFile, output.overwrite());
        run.writeJson("config.json", Map.of("options", recorded, "weights", Map.of("spec", base.spec(),
                "sha256", base.sha256()), "engine", engine, "provenance", saved.card().provenance()));
        return new Saved(saved, modelFile, metrics);
    }

    /** Writes {@code run/metrics.json}, and the copy {@code output} asks for. */
    public static void writeMetrics(RunFolder run, OutputSpec output, Map<String, Object> metrics) {
        run.writeJson("metrics.json", metrics);
        if (output.metricsJson() != null) {
            RunFolder.writeJson(output.metricsJson(), metrics);
        }
    }

    /** The validation figures a model card and {@code metrics.json} carry: before/after, confusion, history. */
    private static Map<String, Object> metrics(ImageDataset data, HeadTrainer.Outcome outcome) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("classes", data.classes());
        m.put("before", outcome.before().summary());
        m.put("after", outcome.after().toMap());
        m.put("confusion", outcome.after().confusion());
        m.put("history", outcome.history());
        m.put("earlyStopping", outcome.earlyStopping() == null ? null : outcome.earlyStopping().toMap());
        m.put("skipped", data.skipped().size());
        m.put("datasetFingerprint", data.fingerprint());
        return m;
    }
}
