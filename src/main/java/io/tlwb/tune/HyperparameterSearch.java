package io.tlwb.tune;

import io.tlwb.Provenance;
import io.tlwb.RunFolder;
import io.tlwb.Workspace;
import io.tlwb.data.ImageDataset;
import io.tlwb.features.Pooling;
import io.tlwb.model.GraphSurgery;
import io.tlwb.pipeline.FeatureSplits;
import io.tlwb.pipeline.HeadRecipe;
import io.tlwb.pipeline.TrainingOptions;
import io.tlwb.pipeline.TransferPipeline;
import io.tlwb.pretrained.PretrainedModel;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.deeplearning4j.arbiter.optimize.runner.LocalOptimizationRunner;
import org.deeplearning4j.arbiter.optimize.runner.listener.StatusListener;

/**
 * Hyperparameter search over the head and its training, with Arbiter: featurize once per cut layer, then let
 * Arbiter's {@link LocalOptimizationRunner} draw candidates from the {@link SearchSpace} (random or grid), train each
 * head on the cached features, score it on the validation split and stop at the candidate or time limit. The best
 * head is saved as a normal model zip with the same model card as {@code train}; every candidate's configuration
 * and score go to {@code runs/<id>/candidates.json}.
 */
public final class HyperparameterSearch {

    private final TransferPipeline pipeline;
    private final PrintWriter out;
    private final List<StatusListener> statusListeners = new ArrayList<>();

    /**
     * @param out      where the search reports candidates and the results table
     * @param progress where featurization progress bars go (stderr on the command line), or null for none
     */
    public HyperparameterSearch(Workspace workspace, PrintWriter out, PrintStream progress) {
        this.pipeline = new TransferPipeline(workspace, out, progress);
        this.out = out;
    }

    /** Arbiter status listeners to add to the search (e.g. {@link SearchDashboard#listener()}). */
    public HyperparameterSearch addStatusListeners(StatusListener... more) {
        statusListeners.addAll(List.of(more));
        return this;
    }

    public SearchResult run(PretrainedModel base, SearchOptions options, RunFolder run) {
        long start = System.nanoTime();
        options.output().requireWritable(); // before the search, not after it
        SearchSpace space = resolveCutLayers(options.space(), base);
        HeadRecipe reference = options.reference() == null ? null : resolve(options.reference(), base);
        ImageDataset data = pipeline.open(options.data(), run);
        CachedFeatures features = featurize(base, options, data, cutLayers(space, reference));
        double featurizeSeconds = seconds(start);
        Arbiter arbiter = Arbiter.configure(space, options, features, out);
        List<Trial> trials = Collections.synchronizedList(new ArrayList<>());
        Consumer<Trial> record = trial -> {
            trials.add(trial);
            report(trial);
        };
        HeadTaskCreator tasks = new HeadTaskCreator(data.classes(), options.data().seed(), options.features().tta(),
                record);
        Trial referenceTrial = reference == null ? null : trainReference(reference, tasks, features, arbiter);
        if (referenceTrial != null) {
            record.accept(referenceTrial);
        }
        long searchStart = System.nanoTime();
        Arbiter.Finished finished = arbiter.run(tasks, statusListeners, options.candidates());
        double searchSeconds = seconds(searchStart);
        List<Trial> ranked = rank(trials, options.score());
        TrainedCandidate best = arbiter.best(ranked);
        Trial bestTrial = ranked.stream().filter(t -> t.index() == best.index()).findFirst().orElseThrow();
        printTable(ranked, options.score(), bestTrial);
        TransferPipeline.Saved saved = save(base, options, data, best, bestTrial, finished, features, run);
        double total = seconds(start);
        run.writeJson("candidates.json", ranked.stream().map(Trial::toMap).toList());
        run.writeJson("search.json", summary(base, options, data, finished, bestTrial, referenceTrial, saved,
                Map.of("featurize", featurizeSeconds, "search", searchSeconds, "total", total)));
        out.printf(Locale.ROOT, "%d candidates in %.1f s (%s); best: candidate %s, validation %s %.4f%nmodel saved to "
                + "%s%nrun folder %s (%.1f s in all)%n", finished.count(), searchSeconds, finished.stopped(),
                bestTrial.label(), options.score().cliName(), bestTrial.score(), saved.modelFile(), run.dir(), total);
        return new SearchResult(List.copyOf(ranked), bestTrial, referenceTrial, saved.model(), saved.modelFile(), run,
                finished.stopped(), total);
    }

    /** Trains {@code train}'s default head first, outside Arbiter, so the table shows what the search gained. */
    private static Trial trainReference(HeadRecipe reference, HeadTaskCreator tasks, CachedFeatures features,
                                        Arbiter arbiter) {
        long t = System.currentTimeMillis();
        TrainedCandidate trained = tasks.train(Trial.REFERENCE, reference, features, null, List.of());
        double s = arbiter.offer(trained);
        return new Trial(Trial.REFERENCE, reference, s, trained.outcome().after().accuracy(),
                trained.outcome().after().loss(), (System.currentTimeMillis() - t) / 1000.0, null);
    }

    /** The best head joined with the base and saved with the same model card {@code train} writes. */
    private TransferPipeline.Saved save(PretrainedModel base, SearchOptions options, ImageDataset data,
                                        TrainedCandidate best, Trial bestTrial, Arbiter.Finished finished,
                                        CachedFeatures features, RunFolder run) {
        HeadRecipe c = best.candidate();
        TrainingOptions asTrained = new TrainingOptions(options.data(), options.features(), c, options.output());
        Map<String, Object> searchInfo = new LinkedHashMap<>();
        searchInfo.put("run", run.id());
        searchInfo.put("candidate", bestTrial.label());
        searchInfo.put("score", options.score().cliName());
        searchInfo.put("value", bestTrial.score());
        searchInfo.put("candidatesTried", finished.count());
        TransferPipeline.Saved saved = pipeline.save(base, best.outcome(), data, options.features().imageSize(),
                asTrained.toMap(), Map.of("search", searchInfo), features.at(c.cutLayer()).engine(), options.output(),
                run);
        TransferPipeline.writeMetrics(run, options.output(), saved.metrics());
        return saved;
    }

    private static Map<String, Object> summary(PretrainedModel base, SearchOptions options, ImageDataset data,
                                               Arbiter.Finished finished, Trial bestTrial, Trial referenceTrial,
                                               TransferPipeline.Saved saved, Map<String, Double> seconds) {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("options", options.toMap());
        summary.put("weights", Map.of("spec", base.spec(), "sha256", base.sha256()));
        summary.put("classes", data.classes());
        summary.put("datasetFingerprint", data.fingerprint());
        summary.put("arbiter", finished.toMap());
        summary.put("best", bestTrial.toMap());
        summary.put("reference", referenceTrial == null ? null : referenceTrial.toMap());
        summary.put("model", saved.modelFile().toAbsolutePath().toString());
        summary.put("seconds", seconds);
        summary.put("provenance", Provenance.current());
        return summary;
    }

    private CachedFeatures featurize(PretrainedModel base, SearchOptions options, ImageDataset data,
                                     List<String> cutLayers) {
        Map<String, FeatureSplits> splits = new LinkedHashMap<>();
        for (String cut : cutLayers) {
            FeatureSplits split = pipeline.featurize(base, options.features(), cut, Pooling.AVERAGE, data);
            splits.put(cut, split);
            out.printf(Locale.ROOT, "features at %s: %d per image (%s), cached%n", cut, split.train().featureSize(),
                    split.engine());
        }
        return new CachedFeatures(splits, String.format(Locale.ROOT, "cached features of %s (%d train, %d validation "
                + "images) at %s", data.root().getFileName(), data.train().size(), data.validation().size(), cutLayers));
    }

    /** Replaces {@link SearchSpace#DEFAULT_CUT} with train's cut layer for the base and checks every cut layer exists. */
    private static SearchSpace resolveCutLayers(SearchSpace space, PretrainedModel base) {
        List<Object> cuts = new ArrayList<>();
        for (Object cut : space.get("cutLayer").values()) {
            cuts.add(resolveCut(cut.toString(), base));
        }
        return space.with("cutLayer", Dimension.choice(cuts.stream().distinct().toList()));
    }

    private static HeadRecipe resolve(HeadRecipe c, PretrainedModel base) {
        return new HeadRecipe(c.head(), c.batchSize(), c.epochs(), resolveCut(c.cutLayer(), base));
    }

    private static String resolveCut(String cut, PretrainedModel base) {
        String layer = cut.equals(SearchSpace.DEFAULT_CUT) ? base.defaultCutLayer() : cut;
        try {
            GraphSurgery.channelsAt(base, layer);
        } catch (IllegalArgumentException e) {
            throw new SearchSpaceException("search space \"cutLayer\": " + e.getMessage());
        }
        return layer;
    }

    private static List<String> cutLayers(SearchSpace space, HeadRecipe reference) {
        List<String> cuts = new ArrayList<>();
        if (reference != null) {
            cuts.add(reference.cutLayer());
        }
        space.get("cutLayer").values().forEach(c -> cuts.add(c.toString()));
        return cuts.stream().distinct().toList();
    }

    /** Complete trials best first (ties: lower validation loss, then earlier), failed trials last. */
    static List<Trial> rank(List<Trial> trials, ScoreMetric metric) {
        Comparator<Trial> byScore = Comparator.comparingDouble(Trial::score);
        if (!metric.minimize()) {
            byScore = byScore.reversed();
        }
        Comparator<Trial> order = Comparator.comparing(Trial::failed)
                .thenComparing(byScore)
                .thenComparingDouble(Trial::validationLoss)
                .thenComparingInt(Trial::index);
        List<Trial> sorted;
        synchronized (trials) {
            sorted = new ArrayList<>(trials);
        }
        sorted.sort(order);
        return sorted;
    }

    private void report(Trial t) {
        String which = t.index() == Trial.REFERENCE ? "reference (train defaults)"
                : String.format(Locale.ROOT, "candidate %d", t.index());
        if (t.failed()) {
            out.printf(Locale.ROOT, "%s failed after %.1f s: %s%n", which, t.seconds(), t.error());
        } else {
            out.printf(Locale.ROOT, "%s: val_accuracy %.4f  val_loss %.4f  (%.1f s)  %s%n", which,
                    t.validationAccuracy(), t.validationLoss(), t.seconds(), t.candidate());
        }
        out.flush();
    }

    private void printTable(List<Trial> ranked, ScoreMetric metric, Trial best) {
        out.printf(Locale.ROOT, "%nresults, best first (score: validation %s)%n", metric.cliName());
        out.printf(Locale.ROOT, "%4s %-9s %8s %8s %9s %7s %6s %8s %5s %-9s %6s %-16s %6s%n", "rank", "candidate",
                "accuracy", "val_loss", "lr", "dropout", "hidden", "l2", "batch", "updater", "epochs", "cut", "sec");
        int rank = 0;
        for (Trial t : ranked) {
            rank++;
            String mark = t == best ? "*" : "";
            if (t.candidate() == null) {
                out.printf(Locale.ROOT, "%4d %-9s failed: %s%n", rank, t.label(), t.error());
                continue;
            }
            var h = t.candidate().head();
            out.printf(Locale.ROOT, "%4d %-9s %8s %8s %9.2e %7.3f %6d %8.1e %5d %-9s %6d %-16s %6.1f%n", rank,
                    t.label() + mark, t.failed() ? "failed" : String.format(Locale.ROOT, "%.4f", t.validationAccuracy()),
                    t.failed() ? "" : String.format(Locale.ROOT, "%.4f", t.validationLoss()), h.learningRate(),
                    h.dropout(), h.hiddenUnits(), h.l2(), t.candidate().batchSize(),
                    h.updater().name().toLowerCase(Locale.ROOT), t.candidate().epochs(), t.candidate().cutLayer(),
                    t.seconds());
        }
        out.println("* saved as the model");
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }
}
