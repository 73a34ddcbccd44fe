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
}
