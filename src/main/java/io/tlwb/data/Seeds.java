package io.tlwb.data;

/** Derives independent, stable seeds from one user seed. */
final class Seeds {
    private Seeds() {
    }

    /** A seed for stream {@code salt} of {@code seed} (SplitMix64 finaliser: neighbouring inputs give unrelated outputs). */
    static long mix(long seed, long salt) {
        long z = seed + 0x9E3779B97F4A7C15L * (salt + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A seed for stream {@code name} of {@code seed}; String.hashCode is fixed by the Java spec, so this is stable. */
    static long mix(long seed, String name) {
        return mix(seed, name.hashCode() & 0xFFFFFFFFL);
    }
}
