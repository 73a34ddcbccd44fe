package io.tlwb.tune;

import io.tlwb.Named;

/** What a search optimizes, on the validation split. */
public enum ScoreMetric implements Named {
    ACCURACY, LOSS;

    public boolean minimize() {
        return this == LOSS;
    }

    @Override
    public String cliName() {
        return Named.of(this);
    }

    public static ScoreMetric parse(String name) {
        return Named.parse(ScoreMetric.class, name, "score");
    }

    /** The command-line name, so help texts and messages show what users type. */
    @Override
    public String toString() {
        return cliName();
    }
}
