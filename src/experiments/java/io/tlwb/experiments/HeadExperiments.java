package io.tlwb.experiments;

import io.tlwb.data.Augmentation;
import io.tlwb.data.ImageDataset;
import io.tlwb.data.ImageFolders;
import io.tlwb.data.LabeledImage;
import io.tlwb.eval.EvaluationResult;
import io.tlwb.eval.Evaluator;
import io.tlwb.eval.Prediction;
import io.tlwb.features.FeatureCache;
import io.tlwb.features.FeatureSet;
import io.tlwb.features.View;
import io.tlwb.model.HeadConfig;
import io.tlwb.model.TransferModel;
import io.tlwb.model.Updater;
import io.tlwb.train.HeadTrainer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Measurement helper (not part of the product): trains many heads on features already in the workspace's feature
 * cache (filled by {@code train} or {@link FeaturizeLayers}) with the product's own head graph and training loop
 * ({@link TransferModel#newHeadGraph(int, int, HeadConfig, long, INDArray)}, {@link HeadTrainer#fit}), three seeds
 * per configuration, and prints validation accuracy and loss (mean, min-max) at chosen epochs, plain and with
 * horizontal-flip test-time augmentation (the softmax averaged over the image and its cached mirror).
 *
 * <p>Run like {@link FeaturizeLayers}, with arguments {@code DATA SIZE CONFIG_FILE}
 * ({@code src/test/resources/io/tlwb/experiments/hymenoptera-sweep.txt} holds the sweep behind the defaults).
 * A run reproduces {@code train} exactly: with the same seed, a configuration gives the figures the command prints. Each non-blank line of the file is one configuration of
 * {@code key=value} tokens; defaults in brackets: {@code cut=[out_relu]} (several joined by {@code +} concatenate
 * their pooled features), {@code lr=[1e-3] updater=[adam] epochs=[10] (comma list: evaluated at each) batch=[32]
 * l2=[0] dropout=[0.2] hidden=[0] std=[1] aug=[none] seeds=[1,2,3]}.
 */
public final class HeadExperiments {

    private final Path cacheRoot;
    private final ImageDataset data;
    private final int size;
    private final Map<String, FeatureSet> loaded = new LinkedHashMap<>();

    HeadExperiments(Path cacheRoot, ImageDataset data, int size) {
        this.cacheRoot = cacheRoot;
        this.data = data;
        this.size = size;
    }

    public static void main(String[] args) throws IOException {
        ImageDataset data = ImageFolders.open(Path.of(args[0]), 0.2, 42);
        HeadExperiments experiments = new HeadExperiments(Path.of(System.getProperty("cacheRoot", "models/features")), data, Integer.parseInt(args[1]));
        for (String line : Files.readAllLines(Path.of(args[2]))) {
            if (!line.isBlank() && !line.startsWith("#")) {
                experiments.run(line.trim());
            }
        }
    }

    void run(String line) {
        Map<String, String> o = new LinkedHashMap<>(Map.of("cut", "out_relu", "lr", "1e-3", "updater", "adam",
                "epochs", "10", "batch", "32", "l2", "0", "dropout", "0.2", "hidden", "0", "std", "1", "aug", "none"));
        o.put("seeds", "1,2,3");
        for (String token : line.split("\\s+")) {
            String[] kv = token.split("=", 2);
            if (!o.containsKey(kv[0])) {
                throw new IllegalArgumentException("unknown key " + kv[0] + " in: " + line);
            }
            o.put(kv[0], kv[1]);
        }
        HeadConfig head = new HeadConfig(!o.get("std").equals("0"), Integer.parseInt(o.get("hidden")),
                Double.parseDouble(o.get("dropout")), Double.parseDouble(o.get("l2")), Updater.parse(o.get("updater")),
                Double.parseDouble(o.get("lr")));
        int[] checkpoints = Arrays.stream(o.get("epochs").split(",")).mapToInt(Integer::parseInt).toArray();
        long[] seeds = Arrays.stream(o.get("seeds").split(",")).mapToLong(Long::parseLong).toArray();
        Augmentation augmentation = Augmentation.parse(o.get("aug"));
        FeatureSet train = features(o.get("cut"), data.train(), augmentation);
        FeatureSet validation;
        try {
            validation = features(o.get("cut"), data.validation(), Augmentation.FLIP);
        } catch (IllegalStateException e) { // mirrored views not cached (yet): no TTA figures
            validation = features(o.get("cut"), data.validation(), Augmentation.NONE);
        }
        int batch = Integer.parseInt(o.get("batch"));
        // [checkpoint][seed] -> acc, loss, ttaAcc, ttaLoss
        double[][][] results = new double[checkpoints.length][seeds.length][];
        double[] seconds = new double[seeds.length];
        for (int s = 0; s < seeds.length; s++) {
            long start = System.nanoTime();
            Nd4j.getRandom().setSeed(seeds[s]);
            ComputationGraph graph = TransferModel.newHeadGraph(train.featureSize(), data.numClasses(), head, seeds[s],
                    train.features());
            int finalSeed = s;
            FeatureSet valFinal = validation;
            TrainingListener checkpointer = new BaseTrainingListener() {
                int epoch;

                @Override
                public void onEpochEnd(Model model) {
                    epoch++;
                    for (int c = 0; c < checkpoints.length; c++) {
                        if (checkpoints[c] == epoch) {
                            results[c][finalSeed] = evaluate((ComputationGraph) model, valFinal);
                        }
                    }
                }
            };
            HeadTrainer.fit(graph, train, checkpoints[checkpoints.length - 1], batch, seeds[s], List.of(checkpointer));
            seconds[s] = (System.nanoTime() - start) / 1e9;
        }
        for (int c = 0; c < checkpoints.length; c++) {
            System.out.printf(Locale.ROOT, "%-90s | ep %3d | acc %s | loss %s | tta acc %s | tta loss %s | %.1f s%n",
                    line, checkpoints[c], stat(results[c], 0), stat(results[c], 1), stat(results[c], 2),
                    stat(results[c], 3), Arrays.stream(seconds).average().orElse(0) * checkpoints[c]
                            / checkpoints[checkpoints.length - 1]);
        }
        System.out.flush();
    }

    private double[] evaluate(ComputationGraph head, FeatureSet validation) {
        INDArray plain = head.outputSingle(false, validation.views().get(0));
        INDArray mirrored = validation.view(View.MIRRORED).map(v -> head.outputSingle(false, v)).orElse(plain);
        INDArray averaged = plain.add(mirrored).divi(2);
        EvaluationResult a = Evaluator.evaluate(data.classes(), predictions(plain, validation));
        EvaluationResult b = Evaluator.evaluate(data.classes(), predictions(averaged, validation));
        return new double[]{a.accuracy(), a.loss(), b.accuracy(), b.loss()};
    }

    private static List<Prediction> predictions(INDArray probabilities, FeatureSet set) {
        List<Prediction> list = new ArrayList<>();
        for (int i = 0; i < set.size(); i++) {
            list.add(new Prediction(set.sources().get(i), set.labels()[i], probabilities.getRow(i).toFloatVector()));
        }
        return list;
    }

    private static String stat(double[][] perSeed, int k) {
        double[] v = Arrays.stream(perSeed).mapToDouble(r -> r[k]).toArray();
        double mean = Arrays.stream(v).average().orElse(Double.NaN);
        double min = Arrays.stream(v).min().orElse(Double.NaN);
        double max = Arrays.stream(v).max().orElse(Double.NaN);
        return String.format(Locale.ROOT, "%.4f [%.4f-%.4f]", mean, min, max);
    }

    /** Features of the views an augmentation uses; several cut layers joined by '+' are concatenated. */
    private FeatureSet features(String cuts, List<LabeledImage> images, Augmentation augmentation) {
        String id = cuts + "/" + augmentation + "/" + (images == data.train() ? "train" : "validation");
        return loaded.computeIfAbsent(id, k -> {
            List<View> views = View.forAugmentation(augmentation);
            List<INDArray> arrays = new ArrayList<>();
            for (View view : views) {
                List<INDArray> parts = new ArrayList<>();
                for (String cut : cuts.split("\\+")) {
                    FeatureCache cache = cacheFor(cut);
                    float[][] rows = new float[images.size()][];
                    for (int i = 0; i < images.size(); i++) {
                        LabeledImage image = images.get(i);
                        rows[i] = cache.get(image.sha256(), view.name()).orElseThrow(() -> new IllegalStateException(
                                "not in the feature cache: " + cut + " " + view + " " + image.file()));
                    }
                    parts.add(Nd4j.createFromArray(rows));
                }
                arrays.add(parts.size() == 1 ? parts.get(0) : Nd4j.hstack(parts.toArray(INDArray[]::new)));
            }
            return new FeatureSet(views, arrays, images.stream().mapToInt(LabeledImage::label).toArray(),
                    images.stream().map(im -> im.file().toString()).toList(), data.numClasses());
        });
    }

    /** {@code cut} may name the weights' preprocessing as {@code layer@preprocessing} to pick between sources. */
    private FeatureCache cacheFor(String cut) {
        String layer = cut.contains("@") ? cut.substring(0, cut.indexOf('@')) : cut;
        String preprocessing = cut.contains("@") ? "|preprocessing=" + cut.substring(cut.indexOf('@') + 1) + "|" : "|";
        try (Stream<Path> dirs = Files.list(cacheRoot)) {
            for (Path dir : dirs.toList()) {
                Path keyFile = dir.resolve("key.txt");
                if (Files.isRegularFile(keyFile)) {
                    String key = Files.readString(keyFile).trim();
                    if (key.contains("|cut=" + layer + "|") && key.contains("|size=" + size + "|")
                            && key.contains(preprocessing) && key.endsWith("pool=avg")) {
                        return new FeatureCache(cacheRoot, key);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("no feature cache for cut layer " + cut + " at " + size + " px in " + cacheRoot);
    }
}
