package io.tlwb.engine;

import static org.bytedeco.dnnl.global.dnnl.dnnl_sgemm;

import io.tlwb.OpenMpThreads;
import java.util.Arrays;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;

/**
 * Matrix products of ND4J float matrices through oneDNN's sgemm, for training code outside the frozen base: on the
 * shapes of fine-tuning's 1×1 convolutions ND4J's {@code mmul} (OpenBLAS 0.3.19) ran at 37–139 GFLOP/s depending on
 * the result's order, oneDNN's sgemm reaches 185–214 on this machine whatever the transposition. It runs on the
 * engine's cores ({@link FrozenBase#threads()}), whatever OpenMP's thread count on the calling thread.
 */
public final class Sgemm {

    private Sgemm() {
    }

    /**
     * {@code c = op(a) · op(b)}, overwriting {@code c}; {@code op} transposes when asked. Every matrix must be a
     * dense C-order float matrix (a view with an offset is fine).
     *
     * @throws IllegalArgumentException when the shapes do not multiply or a matrix is not dense C-order float
     */
    public static void multiply(INDArray a, boolean transposeA, INDArray b, boolean transposeB, INDArray c) {
        requireDense(a, "a");
        requireDense(b, "b");
        requireDense(c, "c");
        long m = transposeA ? a.columns() : a.rows();
        long k = transposeA ? a.rows() : a.columns();
        long kb = transposeB ? b.columns() : b.rows();
        long n = transposeB ? b.rows() : b.columns();
        if (k != kb || c.rows() != m || c.columns() != n) {
            throw new IllegalArgumentException("cannot multiply " + Arrays.toString(a.shape()) + (transposeA ? "ᵀ" : "")
                    + " by " + Arrays.toString(b.shape()) + (transposeB ? "ᵀ" : "") + " into "
                    + Arrays.toString(c.shape()));
        }
        try (FloatPointer pa = pointer(a); FloatPointer pb = pointer(b); FloatPointer pc = pointer(c)) {
            // the caller may keep ND4J's small ops on one core; the product runs on the engine's
            OpenMpThreads.run(FrozenBase.threads(), () -> Dnnl.check(dnnl_sgemm((byte) (transposeA ? 'T' : 'N'),
                    (byte) (transposeB ? 'T' : 'N'), m, n, k, 1f, pa, a.columns(), pb, b.columns(), 0f, pc,
                    c.columns()), "running sgemm"));
        }
    }

    private static void requireDense(INDArray matrix, String name) {
        if (matrix.rank() != 2 || matrix.dataType() != DataType.FLOAT || matrix.ordering() != 'c'
                || !Shape.hasDefaultStridesForShape(matrix)) {
            throw new IllegalArgumentException(name + " must be a dense C-order float matrix, got "
                    + matrix.shapeInfoToString());
        }
    }

    /** Where the matrix's first element lies: a view's buffer already starts at its offset. */
    private static FloatPointer pointer(INDArray matrix) {
        return new FloatPointer(matrix.data().addressPointer());
    }
}
