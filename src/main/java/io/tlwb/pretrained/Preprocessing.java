package io.tlwb.pretrained;

import java.util.Locale;

/**
 * How a weight source expects its input pixels: RGB values in [0, 255] become {@code x * scale + offset}.
 * Each source declares its own, so no later stage ever guesses (nsfwjs feeds [0,1], Keras applications [-1,1]).
 */
public record Preprocessing(String name, double scale, double offset) {

    /** {@code x / 255}: what nsfwjs feeds its MobileNetV2. */
    public static final Preprocessing ZERO_TO_ONE = new Preprocessing("zero-to-one", 1.0 / 255.0, 0.0);
    /** {@code x / 127.5 - 1}: Keras' {@code mobilenet_v2.preprocess_input}. */
    public static final Preprocessing MINUS_ONE_TO_ONE = new Preprocessing("minus-one-to-one", 1.0 / 127.5, -1.0);

    public Preprocessing {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("preprocessing needs a name");
        }
        if (!(scale > 0) || !Double.isFinite(offset)) {
            throw new IllegalArgumentException("preprocessing '" + name + "' needs scale > 0 and a finite offset");
        }
    }

    /** The preprocessing named {@code name}, as written into model cards. */
    public static Preprocessing named(String name) {
        return switch (name) {
            case "zero-to-one" -> ZERO_TO_ONE;
            case "minus-one-to-one" -> MINUS_ONE_TO_ONE;
            default -> throw new IllegalArgumentException(
                    "unknown preprocessing '" + name + "': expected zero-to-one or minus-one-to-one");
        };
    }

    public float apply(float pixel) {
        return (float) (pixel * scale + offset);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s (x*%.6g%+.3g)", name, scale, offset);
    }
}
