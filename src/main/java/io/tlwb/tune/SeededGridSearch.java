package io.tlwb.tune;

import java.util.Map;
import org.deeplearning4j.arbiter.optimize.api.ParameterSpace;
import org.deeplearning4j.arbiter.optimize.generator.GridSearchCandidateGenerator;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Arbiter's grid search in a random order that replays: Arbiter shuffles the grid in its constructor with an
 * unseeded generator, so this seeds the generator and lets Arbiter lay out the grid again.
 */
final class SeededGridSearch extends GridSearchCandidateGenerator {

    SeededGridSearch(ParameterSpace<?> space, int pointsPerRange, long seed) {
        super(space, pointsPerRange, Mode.RandomOrder, Map.of());
        setRngSeed(seed);
        initialize();
    }

    /** For Arbiter's JSON (the UI reads the configuration back); the order is not needed there. */
    @JsonCreator
    private SeededGridSearch(@JsonProperty("parameterSpace") ParameterSpace<?> parameterSpace,
                             @JsonProperty("discretizationCount") int discretizationCount,
                             @JsonProperty("mode") Mode mode,
                             @JsonProperty("dataParameters") Map<String, Object> dataParameters,
                             @JsonProperty("initDone") boolean initDone) {
        super(parameterSpace, discretizationCount, mode, dataParameters, initDone);
    }
}
