package io.tlwb.tune;

import io.tlwb.model.TestTimeAugmentation;
import io.tlwb.pipeline.DataSpec;
import io.tlwb.pipeline.FeatureSpec;
import io.tlwb.pipeline.HeadRecipe;
import io.tlwb.pipeline.OutputSpec;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything that shapes a search besides the base model. Validated on construction; the data, feature and output
 * specs are the ones {@code train} takes.
 *
 * @param data       which images and how they split; its seed also seeds the candidate draws and every candidate
 * @param features   input size, training augmentation and the test-time augmentation every candidate is scored with
 * @param space      what to search
 * @param strategy   random or grid search
 * @param candidates stop after this many candidates
 * @param maxMinutes stop starting candidates after this long; 0 for no time limit
 * @param score      what the best candidate is chosen by, on the validation split
 * @param gridPoints grid search: points per continuous range (integer ranges get at most this many)
 * @param reference  a head trained first for comparison (the {@code train} defaults), or null for none; its cut
 *                   layer may be {@link SearchSpace#DEFAULT_CUT}
 * @param output     where the best model goes
 */
public record SearchOptions(DataSpec data, FeatureSpec features, SearchSpace space, SearchStrategy strategy,
                            int candidates, double maxMinutes, ScoreMetric score, int gridPoints, HeadRecipe reference,
                            OutputSpec output) {

    public SearchOptions {
        if (candidates < 1 || candidates > 100_000) {
            throw new IllegalArgumentException("--candidates must be between 1 and 100000, got " + candidates);
        }
        if (!(maxMinutes >= 0)) {
            throw new IllegalArgumentException("--max-minutes must be >= 0 (0 = no time limit), got " + maxMinutes);
        }
        if (gridPoints < 2 || gridPoints > 100) {
            throw new IllegalArgumentException("grid points per range must be between 2 and 100, got " + gridPoints);
        }
        if (data == null || features == null || space == null || strategy == null || score == null
                || output == null) {
            throw new IllegalArgumentException("data, features, space, strategy, score and output are required");
        }
    }

    /** The configuration as written to {@code search.json}. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("data", data.describe());
        m.put("validationSplit", data.validationSplit());
        m.put("imageSize", features.imageSize());
        m.put("augmentation", features.augmentation().cliName());
        m.put("strategy", strategy.cliName());
        m.put("candidates", candidates);
        m.put("maxMinutes", maxMinutes);
        m.put("seed", data.seed());
        m.put("score", score.cliName());
        m.put(TestTimeAugmentation.CARD_KEY, features.tta().cliName());
        m.put("gridPoints", gridPoints);
        m.put("space", space.toMap());
        m.put("reference", reference == null ? null : reference.toMap());
        return m;
    }
}
