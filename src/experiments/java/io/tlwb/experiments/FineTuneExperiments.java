package io.tlwb.experiments;

import io.tlwb.Workspace;
import io.tlwb.data.Augmentation;
import io.tlwb.data.ImageDataset;
import io.tlwb.data.ImageFolders;
import io.tlwb.data.ImagePipeline;
import io.tlwb.features.FeatureCache;
import io.tlwb.features.FeatureExtractor;
import io.tlwb.features.FeatureSet;
import io.tlwb.features.Featurizer;
import io.tlwb.features.Featurizers;
import io.tlwb.features.Pooling;
import io.tlwb.model.HeadConfig;
import io.tlwb.model.HeadSpec;
import io.tlwb.model.TestTimeAugmentation;
import io.tlwb.model.Updater;
import io.tlwb.pretrained.PretrainedModel;
import io.tlwb.pretrained.WeightSources;
import io.tlwb.train.EpochStats;
import io.tlwb.train.FineTuner;
import io.tlwb.train.FineTuning;
import io.tlwb.train.HeadTrainer;
import io.tlwb.train.TrainingDefaults;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Measurement helper (not part of the product): the head stage with {@code train}'s defaults, then fine-tuning with
 * the product's own {@link FineTuner}, for several configurations and seeds in one JVM; prints validation accuracy and
 * loss (flip test-time augmentation, as {@code train} reports them) after the head and after every fine-tuning epoch,
 * as mean [min-max] over the seeds, and the seconds per fine-tuning epoch.
 *
 * <p>Arguments: {@code DATA WORKSPACE CONFIG_FILE [WEIGHTS]}. Each non-blank line of the file is one configuration of
 * {@code key=value} tokens; defaults in brackets: {@code from=[block_10_project_BN] cut=[default] lr=[1e-4]
 * epochs=[10] (0: the head alone) aug=[none] updater=[adam] size=[160] seeds=[1,2,3]}.
 */
public final class FineTuneExperiments {

    private final PretrainedModel base;
    private final ImageDataset data;
    private final Workspace workspace;
    private final Map<String, FeatureSet> loaded = new HashMap<>();

    private FineTuneExperiments(PretrainedModel base, ImageDataset data, Workspace workspace) {
        this.base = base;
        this.data = data;
        this.workspace = workspace;
    }

    public static void main(String[] args) throws Exception {
        Workspace workspace = new Workspace(Path.of(args[1]));
        PretrainedModel base = WeightSources.load(args.length > 3 ? args[3] : WeightSources.DEFAULT_SPEC, workspace);
        FineTuneExperiments experiments = new FineTuneExperiments(base,
                ImageFolders.open(Path.of(args[0]), TrainingDefaults.VALIDATION_SPLIT, TrainingDefaults.SEED),
                workspace);
        for (String line : Files.readAllLines(Path.of(args[2]))) {
            if (!line.isBlank() && !line.startsWith("#")) {
                experiments.run(line.trim());
            }
        }
    }

    private void run(String line) {
        Map<String, String> o = new LinkedHashMap<>(Map.of("from", "block_10_project_BN", "cut", "default",
                "lr", "1e-4", "epochs", "10", "aug", "none", "updater", "adam", "seeds", "1,2,3"));
        o.put("size", String.valueOf(TrainingDefaults.IMAGE_SIZE));
        for (String token : line.split("\\s+")) {
            String[] kv = token.split("=", 2);
            if (!o.containsKey(kv[0])) {
                throw new IllegalArgumentException("unknown key " + kv[0] + " in: " + line);
            }
            o.put(kv[0], kv[1]);
        }
        long[] seeds = Arrays.stream(o.get("seeds").split(",")).mapToLong(Long::parseLong).toArray();
        Augmentation augmentation = Augmentation.parse(o.get("aug"));
        HeadConfig head = new HeadConfig(TrainingDefaults.HEAD.standardize(), TrainingDefaults.HEAD.hiddenUnits(),
                TrainingDefaults.HEAD.dropout(), TrainingDefaults.HEAD.l2(), Updater.parse(o.get("updater")),
                TrainingDefaults.HEAD.learningRate());
        int size = Integer.parseInt(o.get("size"));
        int epochs = Integer.parseInt(o.get("epochs"));
        FineTuning fineTuning = epochs == 0 ? null : new FineTuning(o.get("from"), epochs, Double.parseDouble(o.get("lr")));
        List<List<EpochStats>> curves = new ArrayList<>();
        for (long seed : seeds) {
            HeadSpec spec = HeadSpec.of(base, data.classes(), o.get("cut").equals("default") ? null : o.get("cut"),
                    head, seed);
            HeadTrainer.Outcome headStage = new HeadTrainer(spec, TrainingDefaults.EPOCHS, TrainingDefaults.BATCH_SIZE)
                    .optTta(TestTimeAugmentation.FLIP).train(
                    features(spec.cutLayer(), size, Pooling.AVERAGE, true, augmentation),
                    features(spec.cutLayer(), size, Pooling.AVERAGE, false, Augmentation.FLIP), stats -> { });
            HeadTrainer.Outcome outcome = fineTuning == null ? headStage
                    : new FineTuner(base, fineTuning, TrainingDefaults.BATCH_SIZE, seed)
                    .optTta(TestTimeAugmentation.FLIP)
                    .train(features(fineTuning.frozenLayer(), size, Pooling.NONE, true, augmentation),
                            features(fineTuning.frozenLayer(), size, Pooling.NONE, false, Augmentation.FLIP),
                            headStage, stats -> { });
            curves.add(outcome.history().subList(TrainingDefaults.EPOCHS - 1, outcome.history().size()));
        }
        for (int e = 0; e < curves.get(0).size(); e++) {
            int epoch = e;
            double[] acc = curves.stream().mapToDouble(c -> c.get(epoch).validationAccuracy()).toArray();
            double[] loss = curves.stream().mapToDouble(c -> c.get(epoch).validationLoss()).toArray();
            double secs = curves.stream().mapToDouble(c -> c.get(epoch).seconds()).average().orElse(0);
            System.out.printf(Locale.ROOT, "%-70s | %s | acc %s | loss %s | %.1f s%n", line,
                    e == 0 ? "head" : "ft " + e, stat(acc), stat(loss), secs);
        }
        System.out.flush();
    }

    private FeatureSet features(String layer, int size, Pooling pooling, boolean train, Augmentation augmentation) {
        String id = layer + "/" + size + "/" + pooling + "/" + train + "/" + augmentation;
        return loaded.computeIfAbsent(id, k -> {
            Featurizer featurizer = Featurizers.create(base, layer, size, pooling);
            FeatureExtractor extractor = new FeatureExtractor(featurizer, new ImagePipeline(size, base.preprocessing()),
                    new FeatureCache(workspace.featureCacheDir(), featurizer.cacheKey()), 8, null);
            return extractor.extract(train ? "train" : "validation", train ? data.train() : data.validation(),
                    data.numClasses(), augmentation);
        });
    }

    private static String stat(double[] v) {
        return String.format(Locale.ROOT, "%.4f [%.4f-%.4f]", Arrays.stream(v).average().orElse(Double.NaN),
                Arrays.stream(v).min().orElse(Double.NaN), Arrays.stream(v).max().orElse(Double.NaN));
    }
}
