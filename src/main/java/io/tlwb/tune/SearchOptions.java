package io.tlwb.tune;

import io.tlwb.data.Augmentation;
import io.tlwb.model.TestTimeAugmentation;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything that shapes a search besides the base model. Validated on construction.
 *
 * @param data            the image folder
 * @param validationSplit fraction held out per class when the folder has no validation split of its own
 * @param imageSize       square size images are resized to
 * @param augmentation    training augmentation (cached views), as for {@code train}
 * @param space           what to search
 * @param strategy        random or grid search
 * @param candidates      stop after this many candidates
 * @param maxMinutes      stop starting candidates after this long; 0 for no time limit
 * @param seed            seeds the split, the candidate draws and every candidate's training
 * @param score           what the best candidate is chosen by, on the validation split
 * @param gridPoints      grid search: points per continuous range (integer ranges get at most this many)
 * @param reference       a head trained first for comparison (the {@code train} defaults), or null for none;
 *                        its cut layer may be {@link SearchSpace#DEFAULT_CUT}
 * @param modelOut        where to save the best model, or null for a fresh file under {@code models/}
 * @param overwrite       whether {@code modelOut} may replace an existing file
 * @param tta             how every candidate's validation predictions are formed, as for {@code train}
 */
public record SearchOptions(Path data, double validationSplit, int imageSize, Augmentation augmentation,
                            SearchSpace space, SearchStrategy strategy, int candidates, double maxMinutes, long seed,
                            ScoreMetric score, int gridPoints, HeadCandidate reference, Path modelOut,
                            boolean overwrite, TestTimeAugmentation tta) {

    public SearchOptions {
        if (!(validationSplit > 0 && validationSplit < 1)) {
            throw new IllegalArgumentException("--validation-split must be between 0 and 1, got " + validationSplit);
        }
        if (imageSize < 32 || imageSize > 1024) {
            throw new IllegalArgumentException("--image-size must be between 32 and 1024 pixels, got " + imageSize);
        }
        if (candidates < 1 || candidates > 100_000) {
            throw new IllegalArgumentException("--candidates must be between 1 and 100000, got " + candidates);
        }
        if (!(maxMinutes >= 0)) {
            throw new IllegalArgumentException("--max-minutes must be >= 0 (0 = no time limit), got " + maxMinutes);
        }
        if (gridPoints < 2 || gridPoints > 100) {
            throw new IllegalArgumentException("grid points per range must be between 2 and 100, got " + gridPoints);
        }
        if (data == null || augmentation == null || space == null || strategy == null || score == null
                || tta == null) {
            throw new IllegalArgumentException("data, augmentation, space, strategy, score and tta are required");
        }
    }

    /** The configuration as written to {@code search.json}. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("data", data.toAbsolutePath().normalize().toString());
        m.put("validationSplit", validationSplit);
        m.put("imageSize", imageSize);
        m.put("augmentation", augmentation.cliName());
        m.put("strategy", strategy.cliName());
        m.put("candidates", candidates);
        m.put("maxMinutes", maxMinutes);
        m.put("seed", seed);
        m.put("score", score.cliName());
        m.put(TestTimeAugmentation.CARD_KEY, tta.cliName());
        m.put("gridPoints", gridPoints);
        m.put("space", space.toMap());
        m.put("reference", reference == null ? null : reference.toMap());
        return m;
    }
}
