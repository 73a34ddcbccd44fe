package io.tlwb.tune;

import io.tlwb.model.HeadSpec;
import io.tlwb.model.TestTimeAugmentation;
import io.tlwb.pipeline.FeatureSplits;
import io.tlwb.pipeline.HeadRecipe;
import io.tlwb.train.HeadTrainer;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import org.apache.commons.lang3.exception.ExceptionUtils;
import org.deeplearning4j.arbiter.listener.DL4JArbiterStatusReportingListener;
import org.deeplearning4j.arbiter.optimize.api.Candidate;
import org.deeplearning4j.arbiter.optimize.api.OptimizationResult;
import org.deeplearning4j.arbiter.optimize.api.TaskCreator;
import org.deeplearning4j.arbiter.optimize.api.data.DataProvider;
import org.deeplearning4j.arbiter.optimize.api.data.DataSource;
import org.deeplearning4j.arbiter.optimize.api.saving.ResultReference;
import org.deeplearning4j.arbiter.optimize.api.score.ScoreFunction;
import org.deeplearning4j.arbiter.optimize.runner.CandidateInfo;
import org.deeplearning4j.arbiter.optimize.runner.CandidateStatus;
import org.deeplearning4j.arbiter.optimize.runner.IOptimizationRunner;
import org.deeplearning4j.arbiter.optimize.runner.listener.StatusListener;

/**
 * Arbiter's task for one candidate: train the head it describes on the cached features with {@link HeadTrainer}
 * (exactly as {@code train} does, without touching the base), score it, hand it to the result saver, and report each
 * step to Arbiter's status listeners (the UI), including the head's score per iteration.
 */
final class HeadTaskCreator implements TaskCreator {

    private final List<String> classes;
    private final long seed;
    private final TestTimeAugmentation tta;
    private final Consumer<Trial> onTrial;

    HeadTaskCreator(List<String> classes, long seed, TestTimeAugmentation tta,
                    Consumer<Trial> onTrial) {
        this.classes = List.copyOf(classes);
        this.seed = seed;
        this.tta = tta;
        this.onTrial = onTrial;
    }

    @Override
    public Callable<OptimizationResult> create(Candidate candidate, DataProvider dataProvider,
                                               ScoreFunction scoreFunction, List<StatusListener> statusListeners,
                                               IOptimizationRunner runner) {
        return () -> run(candidate, (CachedFeatures) dataProvider, scoreFunction, statusListeners, runner);
    }

    @Override
    public Callable<OptimizationResult> create(Candidate candidate, Class<? extends DataSource> dataSource,
                                               Properties dataSourceProperties, ScoreFunction scoreFunction,
                                               List<StatusListener> statusListeners, IOptimizationRunner runner) {
        throw new UnsupportedOperationException("the search trains on cached features given as a DataProvider");
    }

    /**
     * Trains one candidate's head; used by Arbiter's tasks and, outside Arbiter, for the reference head.
     *
     * @param info      the candidate's status, for the per-iteration reports to {@code listeners} (none: null)
     */
    TrainedCandidate train(int index, HeadRecipe c, CachedFeatures data, CandidateInfo info,
                      List<StatusListener> listeners) {
        FeatureSplits split = data.at(c.cutLayer());
        HeadSpec spec = new HeadSpec(c.cutLayer(), split.train().featureSize(), classes, c.head(), seed);
        HeadTrainer trainer = new HeadTrainer(spec, c.epochs(), c.batchSize()).optTta(tta);
        if (info != null && !listeners.isEmpty()) {
            trainer.addListeners(new DL4JArbiterStatusReportingListener(listeners, info));
        }
        HeadTrainer.Outcome outcome = trainer.train(split.train(), split.validation(), epoch -> {
        });
        return new TrainedCandidate(index, c, outcome);
    }

    private OptimizationResult run(Candidate candidate, CachedFeatures data, ScoreFunction scoreFunction,
                                   List<StatusListener> listeners, IOptimizationRunner runner) {
        long start = System.currentTimeMillis();
        int index = candidate.getIndex();
        CandidateInfo info = new CandidateInfo(index, CandidateStatus.Running, null, start, start, null,
                candidate.getFlatParameters(), null);
        listeners.forEach(l -> l.onCandidateStatusChange(info, runner, null));
        HeadRecipe c = null;
        try {
            c = (HeadRecipe) candidate.getValue();
            TrainedCandidate trained = train(index, c, data, info, listeners);
            double score = scoreFunction.score(trained, data, candidate.getDataParameters());
            CandidateInfo done = new CandidateInfo(index, CandidateStatus.Complete, score, start, start,
                    System.currentTimeMillis(), candidate.getFlatParameters(), null);
            OptimizationResult result = new OptimizationResult(candidate, score, index, null, done, null);
            ResultReference reference = runner.getConfiguration().getResultSaver().saveModel(result, trained);
            result.setResultReference(reference);
            onTrial.accept(new Trial(index, c, score, trained.outcome().after().accuracy(),
                    trained.outcome().after().loss(), seconds(start), null));
            listeners.forEach(l -> l.onCandidateStatusChange(done, runner, result));
            return result;
        } catch (Exception | Error e) {
            String trace = ExceptionUtils.getStackTrace(e);
            CandidateInfo failed = new CandidateInfo(index, CandidateStatus.Failed, null, start, start,
                    System.currentTimeMillis(), candidate.getFlatParameters(), trace);
            OptimizationResult result = new OptimizationResult(candidate, null, index, null, failed, null);
            onTrial.accept(new Trial(index, c, Double.NaN, Double.NaN, Double.NaN, seconds(start),
                    String.valueOf(e.getMessage() == null ? e : e.getMessage())));
            listeners.forEach(l -> l.onCandidateStatusChange(failed, runner, result));
            return result;
        }
    }

    private static double seconds(long startMillis) {
        return (System.currentTimeMillis() - startMillis) / 1000.0;
    }
}
