package io.tlwb.train;

import io.tlwb.Named;
import java.util.Arrays;

/**
 * How much each class's examples count in the head's loss. {@link #BALANCED} weighs a class by the inverse of its
 * frequency, as Keras' {@code class_weight} is usually set and scikit-learn's {@code "balanced"} computes:
 * {@code n_images / (n_classes * n_images_of_class)}, so every class carries the same total weight.
 */
public enum ClassWeighting implements Named {
    /** Every image counts the same: a large class dominates the loss. */
    NONE,
    /** Inverse class frequency. */
    BALANCED;

    /** Imbalance at or above which {@code train} and {@code inspect} suggest {@link #BALANCED}. */
    public static final double IMBALANCE_WARNING = 3.0;

    @Override
    public String cliName() {
        return Named.of(this);
    }

    @Override
    public String toString() {
        return cliName();
    }

    /**
     * The loss weight of each class given its training images, or null for none.
     *
     * @throws IllegalArgumentException when a class has no training image
     */
    public double[] weights(int[] countsPerClass) {
        if (this == NONE) {
            return null;
        }
        long total = Arrays.stream(countsPerClass).asLongStream().sum();
        double[] weights = new double[countsPerClass.length];
        for (int c = 0; c < countsPerClass.length; c++) {
            if (countsPerClass[c] == 0) {
                throw new IllegalArgumentException("class " + c + " has no training image to weigh");
            }
            weights[c] = total / ((double) countsPerClass.length * countsPerClass[c]);
        }
        return weights;
    }

    /** The largest class's images over the smallest's, e.g. 3.0 when one class has three times another's. */
    public static double imbalance(int[] countsPerClass) {
        int max = Arrays.stream(countsPerClass).max().orElse(0);
        int min = Arrays.stream(countsPerClass).min().orElse(0);
        return min == 0 ? Double.POSITIVE_INFINITY : (double) max / min;
    }
}
