package io.tlwb.data;

import io.tlwb.Named;

/** Random changes applied to training images only, seeded so a run can be replayed. */
public enum Augmentation implements Named {
    /** The images as they are. */
    NONE("none"),
    /** A horizontal flip with probability 1/2. */
    FLIP("flip"),
    /** A horizontal flip with probability 1/2, then a rotation by a uniform angle in ±{@value #MAX_ROTATION_DEGREES}°. */
    FLIP_ROTATE("flip-rotate");

    /** The largest rotation {@link #FLIP_ROTATE} applies, in degrees either way. */
    public static final double MAX_ROTATION_DEGREES = 10.0;

    private final String cliName;

    Augmentation(String cliName) {
        this.cliName = cliName;
    }

    /** The name used on the command line and in model cards: {@code none}, {@code flip} or {@code flip-rotate}. */
    @Override
    public String cliName() {
        return cliName;
    }

    /** The augmentation called {@code name} ({@code none|flip|flip-rotate}, case-insensitive; {@code _} for {@code -}). */
    public static Augmentation parse(String name) {
        return Named.parse(Augmentation.class, name, "augmentation");
    }

    @Override
    public String toString() {
        return cliName;
    }
}
