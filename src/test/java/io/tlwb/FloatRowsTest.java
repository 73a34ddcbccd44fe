package io.tlwb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class FloatRowsTest {

    @Test
    void givesTheRowsNd4jGivesForDenseTransposedSlicedAndDoubleMatrices() {
        INDArray dense = Nd4j.linspace(DataType.FLOAT, 1, 35, 1).reshape(5, 7);
        INDArray fOrder = dense.dup('f');
        INDArray transposed = dense.transpose();
        INDArray sliced = dense.get(NDArrayIndex.interval(1, 4), NDArrayIndex.interval(2, 6));
        for (INDArray matrix : new INDArray[]{dense, fOrder, transposed, sliced}) {
            assertArrayEquals(matrix.toFloatMatrix(), FloatRows.of(matrix));
        }
        INDArray doubles = dense.castTo(DataType.DOUBLE).muli(1.0 / 3);
        assertArrayEquals(doubles.castTo(DataType.FLOAT).toFloatMatrix(), FloatRows.of(doubles));
    }

    @Test
    void leavesTheMatrixAsItWas() {
        INDArray matrix = Nd4j.rand(DataType.FLOAT, 3, 4);
        INDArray before = matrix.dup();
        float[][] rows = FloatRows.of(matrix);
        assertArrayEquals(before.toFloatMatrix(), matrix.toFloatMatrix());
        matrix.assign(0);
        assertArrayEquals(before.toFloatMatrix(), rows, "the rows are copies, not the matrix's memory");
    }

    @Test
    void refusesAnythingButAMatrix() {
        assertThrows(IllegalArgumentException.class, () -> FloatRows.of(Nd4j.rand(DataType.FLOAT, 2, 3, 4)));
    }
}
