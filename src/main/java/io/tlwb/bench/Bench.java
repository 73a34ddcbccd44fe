package io.tlwb.bench;

import io.tlwb.RunFolder;
import io.tlwb.Workspace;
import io.tlwb.features.FastFeaturizer;
import io.tlwb.features.GraphFeaturizer;
import io.tlwb.pretrained.PretrainedModel;
import io.tlwb.train.TrainingDefaults;
import io.tlwb.train.TrainingJob;
import io.tlwb.train.TrainingOptions;
import io.tlwb.train.TrainingResult;
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
import org.nd4j.linalg.factory.Nd4j;

/**
 * The speed figures of this machine in one run: sgemm GFLOP/s through ND4J, featurization img/s and achieved GFLOP/s
 * of the fast path (and, for the ratio, of the plain DL4J graph) per image size and batch, peak RSS, and the wall time
 * of a {@code train} with a cold and a warm feature cache. Absolute numbers are noisy on shared machines; the ratios
 * (fast/graph, achieved/sgemm) are what to compare.
 */
public final class Bench {

    /**
     * @param sizes        square input sizes to featurize at
     * @param batches      batch sizes for the fast path
     * @param reps         timed repetitions per fast configuration (after one warm-up)
     * @param graphBatches batch sizes for the plain DL4J graph (empty: skip it; it is ~10x slower and RSS-hungry)
     * @param graphReps    timed repetitions per graph configuration
     * @param sgemmReps    repetitions of the 2048² sgemm
     * @param trainData    image folder for the cold/warm {@code train}, or null to skip it
     * @param epochs       epochs of that train
     */
    public record Options(List<Integer> sizes, List<Integer> batches, int reps, List<Integer> graphBatches,
                          int graphReps, int sgemmReps, Path trainData, int epochs) {
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
            if (reps < 1 || graphReps < 1 || sgemmReps < 1 || epochs < 1) {
                throw new IllegalArgumentException("--reps, --graph-reps, --sgemm-reps and --epochs must be >= 1");
            }
        }
    }

    private final PretrainedModel base;
    private final Options options;
    private final PrintWriter out;

    /** @param out where progress lines and the table go */
    public Bench(PretrainedModel base, Options options, PrintWriter out) {
        this.base = base;
        this.options = options;
        this.out = out;
    }

    /** Runs everything and returns the figures as a JSON-ready map (also printed as a table). */
    public Map<String, Object> run() {
        Map<String, Object> report = new LinkedHashMap<>();
        Map<String, Object> machine = Machine.describe();
        report.put("machine", machine);
        report.put("weights", Map.of("spec", base.spec(), "sha256", base.sha256(), "cutLayer", base.bottleneckLayer()));
        out.printf(Locale.ROOT, "machine: %s, %s cores, ND4J %s (%s), AVX-512 %s%n", machine.get("cpuModel"),
                machine.get("cores"), machine.get("nd4jVariant"), machine.get("blas"), machine.get("avx512"));
        if (!"PASSIVE".equalsIgnoreCase(String.valueOf(System.getenv("OMP_WAIT_POLICY")))) {
            out.println("note: OMP_WAIT_POLICY is not PASSIVE; on a busy machine spinning OpenMP threads can make "
                    + "featurization several times slower (export OMP_WAIT_POLICY=PASSIVE)");
        }
        out.flush();

        Map<String, Object> sgemm = sgemm(2048, options.sgemmReps());
        report.put("sgemm", sgemm);
        double peakGflops = (double) sgemm.get("bestGflops");
        out.printf(Locale.ROOT, "sgemm 2048²: best %.1f GFLOP/s, median %.1f GFLOP/s%n", peakGflops,
                (double) sgemm.get("medianGflops"));
        out.flush();

        List<Map<String, Object>> rows = new ArrayList<>();
        for (int size : options.sizes()) {
            FastFeaturizer fast = FastFeaturizer.compile(base, base.bottleneckLayer(), size);
            double gflopPerImage = 2.0 * fast.frozenBase().macsPerImage(size) / 1e9;
            for (int batch : options.batches()) {
                Timing t = time(fast::featurize, size, batch, options.reps(), true);
                rows.add(row("fast", size, batch, t, gflopPerImage, peakGflops));
            }
        }
        long fastPeakRss = Machine.peakRssBytes();
        List<Map<String, Object>> graphRows = new ArrayList<>();
        for (int size : options.graphBatches().isEmpty() ? List.<Integer>of() : options.sizes()) {
            GraphFeaturizer graph = new GraphFeaturizer(base, base.bottleneckLayer(), size);
            double gflopPerImage = 2.0 * FastFeaturizer.compile(base, base.bottleneckLayer(), size)
                    .frozenBase().macsPerImage(size) / 1e9;
            time(graph::featurize, size, 1, 1, false); // warm-up: workspaces, helpers
            for (int batch : options.graphBatches()) {
                Timing t = time(graph::featurize, size, batch, options.graphReps(), false);
                graphRows.add(row("dl4j-graph", size, batch, t, gflopPerImage, peakGflops));
            }
        }
        report.put("featurize", rows);
        report.put("featurizeDl4jGraph", graphRows);
        report.put("peakRssBytesFastPath", fastPeakRss);
        printTable(rows, graphRows, fastPeakRss);

        if (options.trainData() != null) {
            report.put("train", trainColdWarm());
        }
        report.put("peakRssBytes", Machine.peakRssBytes());
        return report;
    }

    private Map<String, Object> row(String path, int size, int batch, Timing t, double gflopPerImage,
                                    double peakGflops) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("path", path);
        row.put("imageSize", size);
        row.put("batch", batch);
        row.put("imagesPerSecond", t.imagesPerSecond());
        row.put("bestImagesPerSecond", t.bestImagesPerSecond());
        row.put("gflopPerImage", gflopPerImage);
        row.put("gflops", t.imagesPerSecond() * gflopPerImage);
        row.put("fractionOfSgemm", t.imagesPerSecond() * gflopPerImage / peakGflops);
        row.put("reps", t.seconds().length);
        row.put("secondsPerBatch", t.seconds());
        row.put("peakRssBytesSoFar", Machine.peakRssBytes());
        out.printf(Locale.ROOT, "  %-10s %3d px batch %2d: %7.1f img/s (best %.1f)%n", path, size, batch,
                t.imagesPerSecond(), t.bestImagesPerSecond());
        out.flush();
        return row;
    }

    private void printTable(List<Map<String, Object>> fast, List<Map<String, Object>> graph, long fastPeakRss) {
        out.println();
        out.println("  px  batch   fast img/s  GFLOP/s  of sgemm   DL4J graph img/s  speed-up");
        for (Map<String, Object> f : fast) {
            Map<String, Object> g = graph.stream().filter(r -> r.get("imageSize").equals(f.get("imageSize"))
                    && r.get("batch").equals(f.get("batch"))).findFirst().orElse(null);
            double fastRate = (double) f.get("imagesPerSecond");
            out.printf(Locale.ROOT, "%4d  %5d   %10.1f  %7.1f  %7.1f%%   %16s  %8s%n", (int) f.get("imageSize"),
                    (int) f.get("batch"), fastRate, (double) f.get("gflops"),
                    100 * (double) f.get("fractionOfSgemm"),
                    g == null ? "-" : String.format(Locale.ROOT, "%.1f", (double) g.get("imagesPerSecond")),
                    g == null ? "-" : String.format(Locale.ROOT, "%.1fx", fastRate / (double) g.get("imagesPerSecond")));
        }
        out.printf(Locale.ROOT, "peak RSS after the fast path: %.0f MB; after everything so far: %.0f MB%n",
                fastPeakRss / 1e6, Machine.peakRssBytes() / 1e6);
        out.flush();
    }

    private record Timing(int batch, double[] seconds) {
        double imagesPerSecond() {
            double[] sorted = seconds.clone();
            Arrays.sort(sorted);
            return batch / sorted[sorted.length / 2];
        }

        double bestImagesPerSecond() {
            return batch / Arrays.stream(seconds).min().orElseThrow();
        }
    }

    private interface Featurize {
        INDArray apply(INDArray images);
    }

    private static Timing time(Featurize featurize, int size, int batch, int reps, boolean warmUp) {
        INDArray images = Nd4j.rand(DataType.FLOAT, batch, size, size, 3);
        if (warmUp) {
            featurize.apply(images).close();
        }
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

    /** Best and median GFLOP/s of an n x n x n float matrix multiply through ND4J's BLAS. */
    static Map<String, Object> sgemm(int n, int reps) {
        INDArray a = Nd4j.rand(DataType.FLOAT, n, n);
        INDArray b = Nd4j.rand(DataType.FLOAT, n, n);
        INDArray c = Nd4j.create(DataType.FLOAT, n, n);
        a.mmuli(b, c); // warm-up
        double[] gflops = new double[reps];
        for (int r = 0; r < reps; r++) {
            long t = System.nanoTime();
            a.mmuli(b, c);
            gflops[r] = 2.0 * n * n * n / ((System.nanoTime() - t) / 1e9) / 1e9;
        }
        a.close();
        b.close();
        c.close();
        double[] sorted = gflops.clone();
        Arrays.sort(sorted);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("n", n);
        result.put("bestGflops", sorted[sorted.length - 1]);
        result.put("medianGflops", sorted[sorted.length / 2]);
        result.put("gflops", gflops);
        return result;
    }

    /** {@code train} on the bench folder twice in a fresh temp workspace: cold feature cache, then warm. */
    private Map<String, Object> trainColdWarm() {
        Path root;
        try {
            root = Files.createTempDirectory("tlwb-bench-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temp workspace for the bench train", e);
        }
        try {
            Workspace workspace = new Workspace(root);
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("data", options.trainData().toString());
            result.put("epochs", options.epochs());
            for (String cache : List.of("cold", "warm")) {
                TrainingOptions train = new TrainingOptions(options.trainData(), TrainingDefaults.VALIDATION_SPLIT,
                        TrainingDefaults.IMAGE_SIZE, null, TrainingDefaults.HEAD, options.epochs(),
                        TrainingDefaults.BATCH_SIZE, TrainingDefaults.SEED, TrainingDefaults.AUGMENTATION,
                        root.resolve("bench-model.zip"), true, null);
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
                                + "train %.1f s), %d images, val accuracy %.3f%n", options.trainData(),
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
