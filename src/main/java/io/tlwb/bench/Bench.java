package io.tlwb.bench;

import io.tlwb.RunFolder;
import io.tlwb.Workspace;
import io.tlwb.data.Augmentation;
import io.tlwb.data.ImageDataset;
import io.tlwb.data.ImageFolders;
import io.tlwb.data.ImagePipeline;
import io.tlwb.data.LabeledImage;
import io.tlwb.engine.FrozenBase;
import io.tlwb.engine.MachinePeak;
import io.tlwb.features.FastFeaturizer;
import io.tlwb.features.FeatureCache;
import io.tlwb.features.FeatureExtractor;
import io.tlwb.features.Featurizer;
import io.tlwb.features.Featurizers;
import io.tlwb.features.GraphFeaturizer;
import io.tlwb.model.GraphSurgery;
import io.tlwb.model.TestTimeAugmentation;
import io.tlwb.pipeline.DataSpec;
import io.tlwb.pipeline.FeatureSpec;
import io.tlwb.pipeline.HeadRecipe;
import io.tlwb.pipeline.OutputSpec;
import io.tlwb.pipeline.TrainingJob;
import io.tlwb.pipeline.TrainingOptions;
import io.tlwb.pipeline.TrainingResult;
import io.tlwb.pretrained.PretrainedModel;
import io.tlwb.train.TrainingDefaults;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The speed figures of this machine in one run: the machine's float peak (oneDNN's sgemm), then per weight source the
 * engine's featurization img/s, ms per batch and GFLOP/s per image size and batch (each point timed for a fixed time
 * after warm-up, the median batch reported) beside the plain DL4J graph it replaces, peak RSS, decode img/s and
 * end-to-end featurization of a folder of real images, and the wall time of a {@code train} with a cold and a warm
 * feature cache. Absolute numbers are noisy on shared machines; compare ratios, and medians of several runs.
 */
public final class Bench {

    /**
     * @param sizes        square input sizes to featurize at
     * @param batches      batch sizes for the engine
     * @param seconds      how long each engine point is timed (after warm-up)
     * @param graphBatches batch sizes for the plain DL4J graph (empty: skip it; it is 10-50x slower and RSS-hungry)
     * @param graphReps    timed repetitions per graph configuration
     * @param sgemmReps    repetitions of the 2048-cubed sgemm
     * @param data         image folder for decode, end-to-end featurization and the cold/warm {@code train}, or null
     * @param train        whether to run the cold/warm {@code train} on {@code data}
     * @param epochs       epochs of that train
     */
    public record Options(List<Integer> sizes, List<Integer> batches, double seconds, List<Integer> graphBatches,
                          int graphReps, int sgemmReps, Path data, boolean train, int epochs) {
        public Options {
            sizes = List.copyOf(sizes);
            batches = List.copyOf(batches);
            graphBatches = List.copyOf(graphBatches);
            if (sizes.isEmpty() || batches.isEmpty()) {
                throw new IllegalArgumentException("bench needs at least one image size and one batch size");
            }
            if (Stream.concat(batches.stream(), graphBatches.stream()).anyMatch(b -> b < 1)
                    || sizes.stream().anyMatch(s -> s < 8)) {
                throw new IllegalArgumentException("batch sizes must be >= 1 and image sizes >= 8, got batches "
                        + batches + ", graph batches " + graphBatches + ", sizes " + sizes);
            }
            if (!(seconds > 0) || graphReps < 1 || sgemmReps < 1 || epochs < 1) {
                throw new IllegalArgumentException("--seconds must be > 0 and --graph-reps, --sgemm-reps and --epochs "
                        + ">= 1");
            }
        }
    }

    private final List<PretrainedModel> sources;
    private final Options options;
    private final PrintWriter out;

    /**
     * @param sources the weight sources to measure, in order (the first also runs the folder and train parts)
     * @param out     where progress lines and the tables go
     */
    public Bench(List<PretrainedModel> sources, Options options, PrintWriter out) {
        if (sources.isEmpty()) {
            throw new IllegalArgumentException("bench needs at least one weight source");
        }
        this.sources = List.copyOf(sources);
        this.options = options;
        this.out = out;
    }

    /** Runs everything and returns the figures as a JSON-ready map (also printed as tables). */
    public Map<String, Object> run() {
        Map<String, Object> report = new LinkedHashMap<>();
        Map<String, Object> machine = Machine.describe();
        report.put("machine", machine);
        out.printf(Locale.ROOT, "machine: %s, %s cores, AVX-512 %s, load average %s; engine %s, %s threads%n",
                machine.get("cpuModel"), machine.get("cores"), machine.get("avx512"), machine.get("loadAverage"),
                FrozenBase.engineName(), machine.get("engineThreads"));
        out.flush();

        double[] sgemm = MachinePeak.sgemmGflops(2048, options.sgemmReps());
        double peak = Arrays.stream(sgemm).max().orElseThrow();
        report.put("sgemm", Map.of("library", "oneDNN", "n", 2048, "gflops", sgemm, "bestGflops", peak,
                "medianGflops", median(sgemm)));
        out.printf(Locale.ROOT, "peak: oneDNN sgemm 2048^3, best %.1f GFLOP/s, median %.1f GFLOP/s%n", peak,
                median(sgemm));
        out.flush();

        List<Map<String, Object>> perSource = new ArrayList<>();
        for (PretrainedModel base : sources) {
            perSource.add(source(base, peak));
        }
        report.put("sources", perSource);
        if (options.data() != null) {
            report.put("folder", folder(sources.get(0)));
            if (options.train()) {
                report.put("train", trainColdWarm(sources.get(0)));
            }
        }
        report.put("peakRssBytes", Machine.peakRssBytes());
        return report;
    }

    private Map<String, Object> source(PretrainedModel base, double peak) {
        String cut = base.bottleneckLayer();
        out.printf(Locale.ROOT, "%nsource %s cut at %s (%d features)%n", base.spec(), cut,
                GraphSurgery.channelsAt(base, cut));
        List<Map<String, Object>> rows = new ArrayList<>();
        FrozenBase engine = FrozenBase.compile(base.graph(), cut);
        for (int size : options.sizes()) {
            double gflopPerImage = 2.0 * engine.macsPerImage(size) / 1e9;
            // an instance per size, freed after it, as a job at one image size holds only that size's plans
            try (FrozenBase sized = engine.newInstance()) {
                for (int batch : options.batches()) {
                    Timing t = timeFor(sized::pooled, size, batch, options.seconds());
                    rows.add(row("engine", size, batch, t, gflopPerImage, peak));
                }
            }
        }
        long enginePeakRss = Machine.peakRssBytes();
        List<Map<String, Object>> graphRows = new ArrayList<>();
        for (int size : options.graphBatches().isEmpty() ? List.<Integer>of() : options.sizes()) {
            GraphFeaturizer graph = new GraphFeaturizer(base, cut, size);
            double gflopPerImage = 2.0 * engine.macsPerImage(size) / 1e9;
            for (int batch : options.graphBatches()) {
                Timing t = timeReps(graph::featurize, size, batch, options.graphReps());
                graphRows.add(row("dl4j-graph", size, batch, t, gflopPerImage, peak));
            }
        }
        printTable(rows, graphRows, enginePeakRss);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("spec", base.spec());
        result.put("sha256", base.sha256());
        result.put("cutLayer", cut);
        result.put("engine", FrozenBase.engineName());
        result.put("compiled", engine.description());
        result.put("featurize", rows);
        result.put("featurizeDl4jGraph", graphRows);
        result.put("peakRssBytesAfterEngine", enginePeakRss);
        return result;
    }

    private Map<String, Object> row(String path, int size, int batch, Timing t, double gflopPerImage, double peak) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("path", path);
        row.put("imageSize", size);
        row.put("batch", batch);
        row.put("imagesPerSecond", t.imagesPerSecond());
        row.put("msPerBatch", 1000 * t.medianSeconds());
        row.put("bestImagesPerSecond", t.bestImagesPerSecond());
        row.put("gflopPerImage", gflopPerImage);
        row.put("gflops", t.imagesPerSecond() * gflopPerImage);
        row.put("fractionOfPeak", t.imagesPerSecond() * gflopPerImage / peak);
        row.put("batchesTimed", t.seconds().length);
        row.put("peakRssBytesSoFar", Machine.peakRssBytes());
        out.printf(Locale.ROOT, "  %-10s %3d px batch %2d: %7.1f img/s, %8.3f ms per batch (%d batches)%n", path,
                size, batch, t.imagesPerSecond(), 1000 * t.medianSeconds(), t.seconds().length);
        out.flush();
        return row;
    }

    private void printTable(List<Map<String, Object>> engine, List<Map<String, Object>> graph, long peakRss) {
        out.println("    px  batch   engine img/s  ms/batch  GFLOP/s  of peak   DL4J graph img/s  speed-up");
        for (Map<String, Object> f : engine) {
            Map<String, Object> g = graph.stream().filter(r -> r.get("imageSize").equals(f.get("imageSize"))
                    && r.get("batch").equals(f.get("batch"))).findFirst().orElse(null);
            double rate = (double) f.get("imagesPerSecond");
            out.printf(Locale.ROOT, "  %4d  %5d   %12.1f  %8.3f  %7.1f  %6.1f%%   %16s  %8s%n",
                    (int) f.get("imageSize"), (int) f.get("batch"), rate, (double) f.get("msPerBatch"),
                    (double) f.get("gflops"), 100 * (double) f.get("fractionOfPeak"),
                    g == null ? "-" : String.format(Locale.ROOT, "%.1f", (double) g.get("imagesPerSecond")),
                    g == null ? "-" : String.format(Locale.ROOT, "%.1fx", rate / (double) g.get("imagesPerSecond")));
        }
        out.printf(Locale.ROOT, "  peak RSS after the engine rows: %.0f MB; after everything so far: %.0f MB%n",
                peakRss / 1e6, Machine.peakRssBytes() / 1e6);
        out.flush();
    }

    /**
     * Decoding alone (the image pipeline, one thread, as featurization's prefetch runs it) and featurization end to
     * end (decode overlapped with the engine, nothing cached) over every image of the bench folder.
     */
    private Map<String, Object> folder(PretrainedModel base) {
        int size = options.sizes().get(0);
        ImageDataset data = ImageFolders.open(options.data(), TrainingDefaults.VALIDATION_SPLIT, TrainingDefaults.SEED);
        List<LabeledImage> images = new ArrayList<>(data.train());
        images.addAll(data.validation());
        ImagePipeline pipeline = new ImagePipeline(size, base.preprocessing());
        long t = System.nanoTime();
        DataSetIterator batches = pipeline.iterator(images, data.numClasses(), FastFeaturizer.PREFERRED_BATCH, false,
                Augmentation.NONE, 0);
        while (batches.hasNext()) {
            DataSet batch = batches.next();
            batch.getFeatures().close();
            batch.getLabels().close();
        }
        double decodeSeconds = (System.nanoTime() - t) / 1e9;
        Path cacheDir = temporaryFolder("tlwb-bench-cache-");
        double featurizeSeconds;
        try {
            Featurizer featurizer = Featurizers.create(base, base.bottleneckLayer(), size);
            FeatureExtractor extractor = new FeatureExtractor(featurizer, pipeline,
                    new FeatureCache(cacheDir, featurizer.cacheKey()), TrainingDefaults.BATCH_SIZE, null);
            t = System.nanoTime();
            extractor.extract("bench", images, data.numClasses(), Augmentation.NONE);
            featurizeSeconds = (System.nanoTime() - t) / 1e9;
        } finally {
            deleteTree(cacheDir);
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("data", options.data().toString());
        result.put("images", images.size());
        result.put("imageSize", size);
        result.put("decodeImagesPerSecond", images.size() / decodeSeconds);
        result.put("endToEndImagesPerSecond", images.size() / featurizeSeconds);
        out.printf(Locale.ROOT, "%nfolder %s, %d images at %d px: decode alone %.1f img/s; decode + featurize "
                        + "(%s, cold cache) %.1f img/s%n", options.data(), images.size(), size,
                images.size() / decodeSeconds, base.spec(), images.size() / featurizeSeconds);
        out.flush();
        return result;
    }

    private record Timing(int batch, double[] seconds) {
        double medianSeconds() {
            return median(seconds);
        }

        double imagesPerSecond() {
            return batch / medianSeconds();
        }

        double bestImagesPerSecond() {
            return batch / Arrays.stream(seconds).min().orElseThrow();
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private interface Featurize {
        INDArray apply(INDArray images);
    }

    /** Batch latencies for at least {@code seconds} after a warm-up of as many batches as fit in a tenth of that. */
    private static Timing timeFor(Featurize featurize, int size, int batch, double seconds) {
        INDArray images = Nd4j.rand(DataType.FLOAT, batch, size, size, 3);
        long warmUpEnd = System.nanoTime() + (long) (seconds * 1e8);
        do {
            featurize.apply(images).close();
        } while (System.nanoTime() < warmUpEnd);
        List<Double> times = new ArrayList<>();
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < end || times.size() < 3) {
            long t = System.nanoTime();
            INDArray features = featurize.apply(images);
            times.add((System.nanoTime() - t) / 1e9);
            features.close();
        }
        images.close();
        return new Timing(batch, times.stream().mapToDouble(Double::doubleValue).toArray());
    }

    private static Timing timeReps(Featurize featurize, int size, int batch, int reps) {
        INDArray images = Nd4j.rand(DataType.FLOAT, batch, size, size, 3);
        featurize.apply(images); // warm-up: workspaces, helpers
        double[] seconds = new double[reps];
        for (int r = 0; r < reps; r++) {
            long t = System.nanoTime();
            INDArray features = featurize.apply(images);
            seconds[r] = (System.nanoTime() - t) / 1e9;
            if (features.closeable()) {
                features.close();
            }
        }
        images.close();
        return new Timing(batch, seconds);
    }

    private static Path temporaryFolder(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temp folder for the bench", e);
        }
    }

    /** {@code train} on the bench folder twice in a fresh temp workspace: cold feature cache, then warm. */
    private Map<String, Object> trainColdWarm(PretrainedModel base) {
        Path root = temporaryFolder("tlwb-bench-");
        try {
            Workspace workspace = new Workspace(root);
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("data", options.data().toString());
            result.put("epochs", options.epochs());
            for (String cache : List.of("cold", "warm")) {
                TrainingOptions train = new TrainingOptions(
                        new DataSpec(options.data(), TrainingDefaults.VALIDATION_SPLIT, TrainingDefaults.SEED),
                        new FeatureSpec(TrainingDefaults.IMAGE_SIZE, TrainingDefaults.AUGMENTATION,
                                TestTimeAugmentation.NONE),
                        new HeadRecipe(TrainingDefaults.HEAD, TrainingDefaults.BATCH_SIZE, options.epochs(), null),
                        new OutputSpec(root.resolve("bench-model.zip"), true, null));
                PrintWriter quiet = new PrintWriter(OutputStream.nullOutputStream());
                long t = System.nanoTime();
                TrainingResult r = new TrainingJob(workspace, quiet, null)
                        .run(base, train, RunFolder.create(workspace.runsDir(), "bench"));
                double wall = (System.nanoTime() - t) / 1e9;
                Map<String, Object> run = new LinkedHashMap<>(r.secondsByStep());
                run.put("wall", wall);
                run.put("images", r.dataset().train().size() + r.dataset().validation().size());
                run.put("validationAccuracy", r.outcome().after().accuracy());
                result.put(cache, run);
                out.printf(Locale.ROOT, "train %s, %d epochs, %s feature cache: %.1f s wall (featurize %.1f s, "
                                + "train %.1f s), %d images, val accuracy %.3f%n", options.data(),
                        options.epochs(), cache, wall, r.secondsByStep().get("featurize"),
                        r.secondsByStep().get("train"), (int) run.get("images"),
                        r.outcome().after().accuracy());
                out.flush();
            }
            return result;
        } finally {
            deleteTree(root);
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover temp folder is harmless
        }
    }
}
