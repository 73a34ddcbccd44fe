package io.tlwb.tune;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.deeplearning4j.arbiter.optimize.api.data.DataProvider;
import org.deeplearning4j.arbiter.optimize.api.data.DataSource;
import org.deeplearning4j.arbiter.optimize.api.score.ScoreFunction;

/** Arbiter's score for a candidate: validation accuracy (maximized) or loss (minimized) after training. */
final class ValidationScore implements ScoreFunction {

    private ScoreMetric metric;

    private ValidationScore() {
    }

    ValidationScore(ScoreMetric metric) {
        this.metric = metric;
    }

    ScoreMetric metric() {
        return metric;
    }

    @Override
    public double score(Object model, DataProvider dataProvider, Map<String, Object> dataParameters) {
        var after = ((TrainedCandidate) model).outcome().after();
        return metric == ScoreMetric.LOSS ? after.loss() : after.accuracy();
    }

    @Override
    public double score(Object model, Class<? extends DataSource> dataSource, Properties dataSourceProperties) {
        return score(model, (DataProvider) null, Map.of());
    }

    @Override
    public boolean minimize() {
        return metric.minimize();
    }

    @Override
    public List<Class<?>> getSupportedModelTypes() {
        return List.of(TrainedCandidate.class);
    }

    @Override
    public List<Class<?>> getSupportedDataTypes() {
        return List.of(Map.class);
    }

    @Override
    public String toString() {
        return "validation " + metric.cliName() + " (" + (minimize() ? "lower" : "higher") + " is better)";
    }
}
