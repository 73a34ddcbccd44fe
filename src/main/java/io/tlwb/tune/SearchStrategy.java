package io.tlwb.tune;

import io.tlwb.Named;

/** How candidates are drawn: Arbiter's random search, or its grid search (visited in a seeded random order). */
public enum SearchStrategy implements Named {
    RANDOM, GRID;

    @Override
    public String cliName() {
        return Named.of(this);
    }

    public static SearchStrategy parse(String name) {
        return Named.parse(SearchStrategy.class, name, "strategy");
    }

    /** The command-line name, so help texts and messages show what users type. */
    @Override
    public String toString() {
        return cliName();
    }
}
