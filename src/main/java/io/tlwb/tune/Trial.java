package io.tlwb.tune;

import io.tlwb.pipeline.HeadRecipe;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One trained candidate (or one that failed), as the results table and {@code candidates.json} show it.
 *
 * @param index     Arbiter's candidate index; {@link #REFERENCE} for the reference head trained with the defaults
 * @param candidate the hyperparameters, or null when Arbiter could not make the candidate
 * @param score     the search score (validation accuracy or loss), NaN when it failed
 * @param error     why it failed, or null
 */
public record Trial(int index, HeadRecipe candidate, double score, double validationAccuracy,
                    double validationLoss, double seconds, String error) {

    /** Index of the reference trial: the {@code train} defaults, trained for comparison. */
    public static final int REFERENCE = -1;

    public boolean failed() {
        return error != null;
    }

    public String label() {
        return index == REFERENCE ? "defaults" : Integer.toString(index);
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("candidate", index == REFERENCE ? "defaults" : index);
        m.put("status", failed() ? "failed" : "complete");
        m.put("score", Double.isNaN(score) ? null : score);
        m.put("validationAccuracy", Double.isNaN(validationAccuracy) ? null : validationAccuracy);
        m.put("validationLoss", Double.isNaN(validationLoss) ? null : validationLoss);
        m.put("seconds", seconds);
        m.put("config", candidate == null ? null : candidate.toMap());
        if (error != null) {
            m.put("error", error);
        }
        return m;
    }
}
