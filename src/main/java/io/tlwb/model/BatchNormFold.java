package io.tlwb.model;

import java.util.Map;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Folds an inference-mode batch norm into the convolution before it: {@code bn(conv(x, W) + b)} becomes
 * {@code conv(x, W') + b'}. Both the fast featurizer and fine-tuning (which trains the top blocks with batch norm in
 * inference mode, as the Keras tutorial does, by training the folded convolutions) rely on it.
 *
 * @param weights DL4J convolution weights: {@code [oC, iC, kH, kW]}, or {@code [kH, kW, iC, m]} for depthwise
 * @param bias    {@code [oC]}
 */
public record BatchNormFold(INDArray weights, INDArray bias) {

    /**
     * @param weights   the convolution's weights in DL4J's layout (see the record), not modified
     * @param bias      its bias {@code [oC]}, or null for none
     * @param depthwise whether {@code weights} are depthwise ({@code [kH, kW, iC, m]}, output channel {@code i*m+j})
     * @param bnParams  the batch norm's parameter table: {@code mean} and {@code var} (or {@code log10stdev}), and
     *                  {@code gamma}/{@code beta} unless it locks them
     * @throws IllegalArgumentException naming what is missing when the table is not a batch norm's
     */
    public static BatchNormFold of(INDArray weights, INDArray bias, boolean depthwise, BatchNormalization bn,
                                   Map<String, INDArray> bnParams) {
        long outChannels = depthwise ? weights.size(2) * weights.size(3) : weights.size(0);
        INDArray mean = bnParams.get("mean");
        INDArray var = bnParams.get("var");
        INDArray log10std = bnParams.get("log10stdev");
        if (mean == null || (var == null && log10std == null)) {
            throw new IllegalArgumentException("has neither mean/var nor mean/log10stdev parameters "
                    + bnParams.keySet());
        }
        double[] gamma = bn.isLockGammaBeta() ? filled(outChannels, bn.getGamma()) : vector(bnParams.get("gamma"));
        double[] beta = bn.isLockGammaBeta() ? filled(outChannels, bn.getBeta()) : vector(bnParams.get("beta"));
        double[] m = vector(mean);
        // DL4J normalizes by sqrt(var + eps), or by 10^log10stdev when it keeps the log of the std instead
        double[] std = vector(var != null ? var : log10std);
        double[] oldBias = bias == null ? new double[(int) outChannels] : vector(bias);
        double[] scale = new double[(int) outChannels];
        double[] newBias = new double[(int) outChannels];
        for (int c = 0; c < outChannels; c++) {
            std[c] = var != null ? Math.sqrt(std[c] + bn.getEps()) : Math.pow(10, std[c]);
            // y = gamma * (x - mean) / std + beta = scale * x + (beta - scale * mean), in double
            scale[c] = gamma[c] / std[c];
            newBias[c] = (oldBias[c] - m[c]) * scale[c] + beta[c];
        }
        INDArray s = Nd4j.createFromArray(scale).castTo(DataType.FLOAT);
        INDArray w = weights.castTo(DataType.FLOAT).dup('c');
        long[] shape = w.shape();
        INDArray folded = depthwise
                ? w.reshape('c', shape[0] * shape[1], outChannels).mulRowVector(s)
                : w.reshape('c', outChannels, shape[1] * shape[2] * shape[3]).mulColumnVector(s.reshape(outChannels, 1));
        return new BatchNormFold(folded.reshape('c', shape).dup('c'),
                Nd4j.createFromArray(newBias).castTo(DataType.FLOAT));
    }

    /**
     * Sets a batch norm's parameters so that it passes its input through and adds {@code shift}: what a folded and
     * retrained convolution's bias becomes when written back into a graph that keeps the batch norm.
     */
    public static void setToShift(BatchNormalization bn, Map<String, INDArray> bnParams, INDArray shift) {
        if (bn.isLockGammaBeta()) {
            throw new IllegalArgumentException("locks gamma and beta, so it cannot carry a retrained bias");
        }
        bnParams.get("gamma").assign(1.0);
        bnParams.get("beta").assign(shift.reshape(bnParams.get("beta").shape()));
        bnParams.get("mean").assign(0.0);
        if (bnParams.containsKey("var")) {
            bnParams.get("var").assign(1.0 - bn.getEps()); // sqrt(var + eps) == 1
        } else {
            bnParams.get("log10stdev").assign(0.0);
        }
    }

    private static double[] vector(INDArray a) {
        return a.castTo(DataType.DOUBLE).reshape(a.length()).toDoubleVector();
    }

    private static double[] filled(long n, double value) {
        double[] v = new double[(int) n];
        java.util.Arrays.fill(v, value);
        return v;
    }
}
