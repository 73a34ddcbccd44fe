package io.tlwb.tune;

import io.tlwb.WorkbenchException;
import java.io.PrintWriter;
import java.util.ArrayList;
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
 * The search as Arbiter runs it: the candidate generator (random, or a seeded grid), the stop conditions, the score
 * and the saver that keeps the best trained head.
 */
final class Arbiter {

    /** How the search ended. */
    record Finished(int count, int completed, int failed, String stopped, String generator) {
        Map<String, Object> toMap() {
            return Map.of("completed", completed, "failed", failed, "stopped", stopped, "generator", generator);
        }
    }

    private final OptimizationConfiguration config;
    private final CandidateGenerator generator;
    private final ValidationScore score;
    private final BestHeadSaver saver;

    private Arbiter(OptimizationConfiguration config, CandidateGenerator generator, ValidationScore score,
                    BestHeadSaver saver) {
        this.config = config;
        this.generator = generator;
        this.score = score;
        this.saver = saver;
    }

    /** Configures the search over {@code space} and says on {@code out} which strategy runs. */
    static Arbiter configure(SearchSpace space, SearchOptions options, CachedFeatures features, PrintWriter out) {
        HeadSpace headSpace = new HeadSpace(space);
        CandidateGenerator generator;
        if (options.strategy() == SearchStrategy.GRID) {
            SeededGridSearch grid = new SeededGridSearch(headSpace, options.gridPoints(), options.data().seed());
            out.printf(Locale.ROOT, "grid search: %d points (%d per continuous range), visited in a seeded random "
                    + "order; up to %d of them%n", grid.getTotalNumCandidates(), options.gridPoints(),
                    options.candidates());
            generator = grid;
        } else {
            generator = new RandomSearchGenerator(headSpace, null);
            generator.setRngSeed(options.data().seed());
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
        return new Arbiter(config, generator, score, saver);
    }

    /** Scores a head trained outside Arbiter (the reference) and lets it compete for best; returns its score. */
    double offer(TrainedCandidate trained) {
        double s = score.score(trained, null, Map.of());
        saver.offer(trained, s);
        return s;
    }

    /** Runs candidates until a stop condition holds. */
    Finished run(HeadTaskCreator tasks, List<StatusListener> listeners, int candidateLimit) {
        LocalOptimizationRunner runner = new LocalOptimizationRunner(config, tasks);
        listeners.forEach(runner::addListeners);
        runner.execute();
        int finished = runner.numCandidatesCompleted() + runner.numCandidatesFailed();
        String stopped = finished >= candidateLimit ? "candidate limit"
                : generator.hasMoreCandidates() ? "time limit" : "grid exhausted";
        return new Finished(finished, runner.numCandidatesCompleted(), runner.numCandidatesFailed(), stopped,
                generator.getClass().getSimpleName());
    }

    /**
     * The best trained head.
     *
     * @param ranked every trial, best first, to name the first failure when none trained
     */
    TrainedCandidate best(List<Trial> ranked) {
        TrainedCandidate best = saver.best();
        if (best == null) {
            Trial firstFailure = ranked.isEmpty() ? null : ranked.get(0);
            throw new WorkbenchException("no candidate trained successfully" + (firstFailure == null ? ""
                    : " (candidate " + firstFailure.label() + ": " + firstFailure.error() + ")")
                    + "; check the search space and the data");
        }
        return best;
    }
}
