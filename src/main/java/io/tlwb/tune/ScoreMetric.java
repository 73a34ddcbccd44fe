package io.tlwb.tune;

import java.util.Arrays;
import java.util.Locale;

/** What a search optimizes, on the validation split. */
public enum ScoreMetric {
    ACCURACY, LOSS;

    public boolean minimize() {
        return this == LOSS;
    }

    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static ScoreMetric parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown score '" + name + "': expected one of "
                    + Arrays.toString(values()).toLowerCase(Locale.ROOT));
        }
    }
}
