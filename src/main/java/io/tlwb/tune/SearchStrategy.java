package io.tlwb.tune;

import java.util.Arrays;
import java.util.Locale;

/** How candidates are drawn: Arbiter's random search, or its grid search (visited in a seeded random order). */
public enum SearchStrategy {
    RANDOM, GRID;

    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static SearchStrategy parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown strategy '" + name + "': expected one of "
                    + Arrays.toString(values()).toLowerCase(Locale.ROOT));
        }
    }
}
