package io.tlwb.engine;

import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class SgemmTest {

    @Test
    void everyTranspositionEqualsNd4jsProductOnViewsWithOffsets() {
        Nd4j.getRandom().setSeed(7);
        // row slices of larger matrices: dense C-order views that start past their buffer's first element
        INDArray a = Nd4j.rand(DataType.FLOAT, 40, 13).get(NDArrayIndex.interval(9, 40), NDArrayIndex.all());
        INDArray b = Nd4j.rand(DataType.FLOAT, 30, 13).get(NDArrayIndex.interval(5, 22), NDArrayIndex.all());
        INDArray c = Nd4j.create(DataType.FLOAT, 50, 17).get(NDArrayIndex.interval(3, 34), NDArrayIndex.all());
        Sgemm.multiply(a, false, b, true, c); // [31, 13] · [17, 13]ᵀ
        assertArrayEquals(a.mmul(b.transpose()).toFloatMatrix(), c.toFloatMatrix());

        INDArray kernel = Nd4j.rand(DataType.FLOAT, 17, 13);
        INDArray rows = Nd4j.create(DataType.FLOAT, 31, 13);
        Sgemm.multiply(c, false, kernel, false, rows); // [31, 17] · [17, 13]
        assertArrayEquals(c.mmul(kernel).toFloatMatrix(), rows.toFloatMatrix());

        INDArray gradient = Nd4j.create(DataType.FLOAT, 17, 13);
        Sgemm.multiply(c, true, a, false, gradient); // [31, 17]ᵀ · [31, 13]
        assertArrayEquals(c.transpose().mmul(a).toFloatMatrix(), gradient.toFloatMatrix());
    }

    private static void assertArrayEquals(float[][] expected, float[][] actual) {
        for (int i = 0; i < expected.length; i++) {
            org.junit.jupiter.api.Assertions.assertArrayEquals(expected[i], actual[i], 1e-4f, "row " + i);
        }
    }

    @Test
    void shapesThatDoNotMultiplyAndStridedViewsAreRefused() {
        INDArray a = Nd4j.rand(DataType.FLOAT, 4, 3);
        assertThrows(IllegalArgumentException.class,
                () -> Sgemm.multiply(a, false, Nd4j.rand(DataType.FLOAT, 4, 3), false, Nd4j.create(DataType.FLOAT, 4, 3)));
        INDArray columns = Nd4j.rand(DataType.FLOAT, 4, 6).get(NDArrayIndex.all(), NDArrayIndex.interval(0, 3));
        assertThrows(IllegalArgumentException.class,
                () -> Sgemm.multiply(columns, false, a, true, Nd4j.create(DataType.FLOAT, 4, 4)));
    }
}
