package io.tlwb;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * An enum constant with the lower-case name the command line, model cards and search spaces use for it. {@link #parse}
 * is the one lookup all of them share: case-insensitive, {@code _} accepted for {@code -}, and an error listing the
 * allowed names.
 */
public interface Named {

    /** The name users write, e.g. {@code flip-rotate}. */
    String cliName();

    /** The name made from an enum constant's own: lower case, {@code -} for {@code _}. */
    static String of(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * The constant of {@code type} called {@code name}.
     *
     * @param what how the error names the setting, e.g. "augmentation"
     * @throws IllegalArgumentException naming the value and the allowed ones
     */
    static <E extends Enum<E> & Named> E parse(Class<E> type, String name, String what) {
        if (name != null) {
            String wanted = name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
            for (E constant : type.getEnumConstants()) {
                if (constant.cliName().equals(wanted)) {
                    return constant;
                }
            }
        }
        throw new IllegalArgumentException("unknown " + what + " '" + name + "': expected one of "
                + Arrays.stream(type.getEnumConstants()).map(Named::cliName).collect(Collectors.joining(", ")));
    }
}
