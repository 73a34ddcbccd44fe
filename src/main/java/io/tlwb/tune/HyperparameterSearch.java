package io.tlwb.tune;

import io.tlwb.Provenance;
import io.tlwb.RunFolder;
import io.tlwb.WorkbenchException;
import io.tlwb.Workspace;
import io.tlwb.data.Augmentation;
import io.tlwb.model.TestTimeAugmentation;
import io.tlwb.data.ImageDataset;
import io.tlwb.data.ImageFolders;
import io.tlwb.data.ImagePipeline;
import io.tlwb.features.FeatureCache;
import io.tlwb.features.FeatureExtractor;
import io.tlwb.features.Featurizer;
import io.tlwb.features.Featurizers;
import io.tlwb.model.GraphSurgery;
import io.tlwb.model.SavedModel;
import io.tlwb.pretrained.PretrainedModel;
import io.tlwb.train.TrainingJob;
import io.tlwb.train.TrainingOptions;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.deeplearning4j.arbiter.optimize.api.CandidateGenerator;
import org.deeplearning4j.arbiter.optimize.api.termination.MaxCandidatesCondition;
import org.deeplearning4j.arbiter.optimize.api.termination.MaxTimeCondition;
import org.deeplearning4j.arbiter.optimize.api.termination.TerminationCondition;
import org.deeplearning4j.arbiter.optimize.config.OptimizationConfiguration;
import org.deeplearning4j.arbiter.optimize.generator.RandomSearchGenerator;
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

    private final Workspace workspace;
    private final PrintWriter out;
    private final PrintStream progress;
    private final List<StatusListener> statusListeners = new ArrayList<>();

    /**
     * @param out      where the search reports candidates and the results table
     * @param progress where featurization progress bars go (stderr on the command line), or null for none
     */
    public HyperparameterSearch(Workspace workspace, PrintWriter out, PrintStream progress) {
        this.workspace = workspace;
        this.out = out;
        this.progress = progress;
    }

    /** Arbiter status listeners to add to the search (e.g. {@link SearchDashboard#listener()}). */
    public HyperparameterSearch addStatusListeners(StatusListener... more) {
        statusListeners.addAll(List.of(more));
        return this;
    }

    public SearchResult run(PretrainedModel base, SearchOptions options, RunFolder run) {
        long start = System.nanoTime();
        if (options.modelOut() != null) {
            SavedModel.requireWritable(options.modelOut(), options.overwrite()); // before the search, not after it
        }
        ImageDataset data = ImageFolders.open(options.data(), options.validationSplit(), options.seed());
        out.printf(Locale.ROOT, "data: %s - %s%n", data.root(), data.summary());
        SearchSpace space = resolveCutLayers(options.space(), base);
        HeadCandidate reference = options.reference() == null ? null : resolve(options.reference(), base);

        CachedFeatures features = featurize(base, options, data, cutLayers(space, reference));
        double featurizeSeconds = seconds(start);

        HeadSpace headSpace = new HeadSpace(space);
        CandidateGenerator generator;
        if (options.strategy() == SearchStrategy.GRID) {
            SeededGridSearch grid = new SeededGridSearch(headSpace, options.gridPoints(), options.seed());
            out.printf(Locale.ROOT, "grid search: %d points (%d per continuous range), visited in a seeded random "
                    + "order; up to %d of them%n", grid.getTotalNumCandidates(), options.gridPoints(),
                    options.candidates());
            generator = grid;
        } else {
            generator = new RandomSearchGenerator(headSpace, null);
            generator.setRngSeed(options.seed());
            out.printf(Locale.ROOT, "random search: up to %d candidates%n", options.candidates());
        }
        List<TerminationCondition> stop = new ArrayList<>(List.of(new MaxCandidatesCondition(options.candidates())));
        if (options.maxMinutes() > 0) {
            stop.add(new MaxTimeCondition(Math.max(1, Math.round(options.maxMinutes() * 60)), TimeUnit.SECONDS));
        }
        ValidationScore score = new ValidationScore(options.score());
        BestHeadSaver saver = new BestHeadSaver(options.score());
        OptimizationConfiguration config = new OptimizationConfiguration.Builder()
                .candidateGenerator(generator)
                .dataProvider(features)
                .scoreFunction(score)
                .modelSaver(saver)
                .terminationConditions(stop)
                .build();

        List<Trial> trials = Collections.synchronizedList(new ArrayList<>());
        HeadTaskCreator tasks = new HeadTaskCreator(base, data.classes(), options.seed(), options.tta(), trial -> {
            trials.add(trial);
            report(trial);
        });

        Trial referenceTrial = null;
        if (reference != null) {
            long t = System.currentTimeMillis();
            TrainedHead trained = tasks.train(Trial.REFERENCE, reference, features, null, List.of());
            double s = score.score(trained, features, Map.of());
            saver.offer(trained, s);
            referenceTrial = new Trial(Trial.REFERENCE, reference, s, trained.outcome().after().accuracy(),
                    trained.outcome().after().loss(), (System.currentTimeMillis() - t) / 1000.0, null);
            trials.add(referenceTrial);
            report(referenceTrial);
        }

        LocalOptimizationRunner runner = new LocalOptimizationRunner(config, tasks);
        statusListeners.forEach(runner::addListeners);
        long searchStart = System.nanoTime();
        runner.execute();
        double searchSeconds = seconds(searchStart);
        int finished = runner.numCandidatesCompleted() + runner.numCandidatesFailed();
        String stopped = finished >= options.candidates() ? "candidate limit"
                : generator.hasMoreCandidates() ? "time limit" : "grid exhausted";

        List<Trial> ranked = rank(trials, options.score());
        TrainedHead best = saver.best();
        if (best == null) {
            Trial firstFailure = ranked.isEmpty() ? null : ranked.get(0);
            throw new WorkbenchException("no candidate trained successfully" + (firstFailure == null ? ""
                    : " (candidate " + firstFailure.label() + ": " + firstFailure.error() + ")")
                    + "; check the search space and the data");
        }
        Trial bestTrial = ranked.stream().filter(t -> t.index() == best.index()).findFirst().orElseThrow();
        printTable(ranked, options.score(), bestTrial);

        HeadCandidate c = best.candidate();
        TrainingOptions asTrained = new TrainingOptions(options.data(), options.validationSplit(),
                options.imageSize(), c.cutLayer(), c.head(), c.epochs(), c.batchSize(), options.seed(),
                options.augmentation(), options.modelOut(), options.overwrite(), null, options.tta());
        Path modelFile = TrainingJob.modelFile(workspace, asTrained, data, run);
        Map<String, Object> metrics = TrainingJob.metrics(data, best.outcome());
        Map<String, Object> searchInfo = new LinkedHashMap<>();
        searchInfo.put("run", run.id());
        searchInfo.put("candidate", bestTrial.label());
        searchInfo.put("score", options.score().cliName());
        searchInfo.put("value", bestTrial.score());
        searchInfo.put("candidatesTried", finished);
        metrics.put("search", searchInfo);
        metrics.put("engine", features.at(c.cutLayer()).engine());
        SavedModel saved = TrainingJob.saveModel(best.model(), base, data, asTrained, metrics, modelFile);

        double total = seconds(start);
        run.writeJson("candidates.json", ranked.stream().map(Trial::toMap).toList());
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("options", options.toMap());
        summary.put("weights", Map.of("spec", base.spec(), "sha256", base.sha256()));
        summary.put("classes", data.classes());
        summary.put("datasetFingerprint", data.fingerprint());
        summary.put("arbiter", Map.of("completed", runner.numCandidatesCompleted(),
                "failed", runner.numCandidatesFailed(), "stopped", stopped,
                "generator", generator.getClass().getSimpleName()));
        summary.put("best", bestTrial.toMap());
        summary.put("reference", referenceTrial == null ? null : referenceTrial.toMap());
        summary.put("model", modelFile.toAbsolutePath().toString());
        summary.put("seconds", Map.of("featurize", featurizeSeconds, "search", searchSeconds, "total", total));
        summary.put("provenance", Provenance.current());
        run.writeJson("search.json", summary);
        out.printf(Locale.ROOT, "%d candidates in %.1f s (%s); best: candidate %s, validation %s %.4f%n", finished,
                searchSeconds, stopped, bestTrial.label(), options.score().cliName(), bestTrial.score());
        out.printf(Locale.ROOT, "model saved to %s%nrun folder %s (%.1f s in all)%n", modelFile, run.dir(), total);
        return new SearchResult(List.copyOf(ranked), bestTrial, referenceTrial, saved, modelFile, run, stopped, total);
    }

    private CachedFeatures featurize(PretrainedModel base, SearchOptions options, ImageDataset data,
                                     List<String> cutLayers) {
        Map<String, CachedFeatures.Split> splits = new LinkedHashMap<>();
        for (String cut : cutLayers) {
            Featurizer featurizer = Featurizers.create(base, cut, options.imageSize());
            FeatureExtractor extractor = new FeatureExtractor(featurizer,
                    new ImagePipeline(options.imageSize(), base.preprocessing()),
                    new FeatureCache(workspace.featureCacheDir(), featurizer.cacheKey()), 32, progress);
            splits.put(cut, new CachedFeatures.Split(
                    extractor.extract("train", data.train(), data.numClasses(), options.augmentation()),
                    extractor.extract("validation", data.validation(), data.numClasses(),
                            options.tta() == TestTimeAugmentation.FLIP ? Augmentation.FLIP : Augmentation.NONE),
                    featurizer.engine()));
            out.printf(Locale.ROOT, "features at %s: %d per image (%s), cached%n", cut, featurizer.featureSize(),
                    featurizer.engine());
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

    private static HeadCandidate resolve(HeadCandidate c, PretrainedModel base) {
        return new HeadCandidate(c.head(), c.batchSize(), c.epochs(), resolveCut(c.cutLayer(), base));
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

    private static List<String> cutLayers(SearchSpace space, HeadCandidate reference) {
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
