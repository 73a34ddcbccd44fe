package io.tlwb.engine;

import static org.bytedeco.dnnl.global.dnnl.dnnl_sgemm;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.FloatPointer;

/**
 * The machine's practical float peak as the engine's own library reaches it: oneDNN's sgemm on an n x n x n product,
 * the reference {@code bench} reports the engine's GFLOP/s against (ND4J's OpenBLAS 0.3.19 sgemm reaches about half).
 */
public final class MachinePeak {

    private static final int RANDOM_CHUNK = 1 << 16;

    private MachinePeak() {
    }

    /** GFLOP/s of {@code reps} timed sgemm calls after one warm-up, in call order. */
    public static double[] sgemmGflops(int n, int reps) {
        long elements = (long) n * n;
        try (FloatPointer a = random(elements, 1); FloatPointer b = random(elements, 2);
             FloatPointer c = new FloatPointer(elements)) {
            double[] gflops = new double[reps + 1];
            for (int r = 0; r <= reps; r++) {
                long t = System.nanoTime();
                Dnnl.check(dnnl_sgemm((byte) 'N', (byte) 'N', n, n, n, 1f, a, n, b, n, 0f, c, n), "running sgemm");
                gflops[r] = 2.0 * n * n * n / ((System.nanoTime() - t) / 1e9) / 1e9;
            }
            return Arrays.copyOfRange(gflops, 1, gflops.length);
        }
    }

    /**
     * Random values in [0, 1) written straight into native memory a chunk at a time: a whole Java array of them would
     * stay in the heap the JVM keeps, and in every peak-memory figure measured after this one.
     */
    private static FloatPointer random(long elements, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        FloatPointer values = new FloatPointer(elements);
        float[] chunk = new float[RANDOM_CHUNK];
        for (long start = 0; start < elements; start += chunk.length) {
            int length = (int) Math.min(chunk.length, elements - start);
            for (int i = 0; i < length; i++) {
                chunk[i] = (float) random.nextDouble();
            }
            values.position(start).put(chunk, 0, length);
        }
        return values.position(0);
    }
}
