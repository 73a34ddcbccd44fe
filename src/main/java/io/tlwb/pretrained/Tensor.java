package io.tlwb.pretrained;

import java.util.Arrays;
import java.util.Objects;

/**
 * One named weight array in row-major (C) order, as Keras stores it: {@code Conv1/kernel:0} of shape [3,3,3,32].
 *
 * @param name  the Keras weight name, {@code <layer>/<weight>:0}
 * @param shape the dimensions, outermost first
 * @param data  the values, length = product of {@code shape}
 */
record Tensor(String name, long[] shape, float[] data) {
    Tensor {
        Objects.requireNonNull(name, "name");
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        if (n != data.length) {
            throw new IllegalArgumentException("tensor " + name + " has shape " + Arrays.toString(shape)
                    + " (" + n + " values) but " + data.length + " values");
        }
    }

    /** The layer part of the name: {@code Conv1} for {@code Conv1/kernel:0}. */
    String layer() {
        int slash = name.lastIndexOf('/');
        return slash < 0 ? name : name.substring(0, slash);
    }

    /** The weight part of the name without the {@code :0} suffix: {@code kernel} for {@code Conv1/kernel:0}. */
    String weight() {
        String w = name.substring(name.lastIndexOf('/') + 1);
        int colon = w.indexOf(':');
        return colon < 0 ? w : w.substring(0, colon);
    }

    Tensor renamed(String newName) {
        return new Tensor(newName, shape, data);
    }

    long size() {
        return data.length;
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape);
    }
}
