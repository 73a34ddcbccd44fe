package io.tlwb;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A matrix's rows as Java arrays, from one copy of its buffer. ND4J's {@code toFloatMatrix()} builds a row view (and
 * its shape descriptor) per row: for a thousand validation rows read after every epoch, that was a tenth of a head's
 * training.
 */
public final class FloatRows {

    private FloatRows() {
    }

    /** The rows of a {@code [rows × columns]} matrix of any floating type, as floats; the matrix is left as it is. */
    public static float[][] of(INDArray matrix) {
        if (matrix.rank() != 2) {
            throw new IllegalArgumentException("expected a matrix, got shape " + Arrays.toString(matrix.shape()));
        }
        int rows = Math.toIntExact(matrix.rows());
        int columns = Math.toIntExact(matrix.columns());
        float[] flat;
        if (matrix.dataType() == DataType.FLOAT && matrix.offset() == 0 && matrix.data().length() == matrix.length()
                && Arrays.equals(matrix.stride(), Nd4j.getStrides(matrix.shape(), 'c'))) {
            flat = matrix.data().asFloat(); // already the rows, in order: one copy
        } else {
            INDArray dense = matrix.castTo(DataType.FLOAT).dup('c');
            flat = dense.data().asFloat();
            dense.close();
        }
        float[][] result = new float[rows][];
        for (int r = 0; r < rows; r++) {
            result[r] = Arrays.copyOfRange(flat, r * columns, (r + 1) * columns);
        }
        return result;
    }
}
