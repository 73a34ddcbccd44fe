package io.tlwb.features;

import io.tlwb.pretrained.PretrainedModel;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Featurizes with the frozen base compiled by {@link FoldedNet}: batch norms folded into the convolutions, ReLU6 in
 * place, NHWC (the fastest measured; NCHW for tests) libnd4j/oneDNN kernels, intermediates freed as soon as they are
 * dead. Its features equal the imported graph's ({@link GraphFeaturizer}) to float rounding, so it shares that
 * featurizer's cache key.
 */
public final class FastFeaturizer implements Featurizer {

    /**
     * Measured with {@code bench} on 2 AVX-512 cores at 160 px: batch 8 ran 2-4x faster than batch 32 (whose
     * activations no longer fit in cache) and 3x faster than batch 1.
     */
    static final int PREFERRED_BATCH = 8;

    private final FoldedNet net;
    private final Pooling pooling;
    private final long[] rowShape;
    private final String cacheKey;

    private FastFeaturizer(FoldedNet net, Pooling pooling, long[] rowShape, String cacheKey) {
        this.net = net;
        this.pooling = pooling;
        this.rowShape = rowShape;
        this.cacheKey = cacheKey;
    }

    /**
     * Compiles {@code base} up to {@code cutLayer}, reading out pooled features.
     *
     * @throws UnsupportedOperationException naming the vertex when the graph holds something the fast path cannot
     *                                       run exactly (use {@link GraphFeaturizer} then)
     */
    public static FastFeaturizer compile(PretrainedModel base, String cutLayer, int imageSize) {
        return compile(base, cutLayer, imageSize, Pooling.AVERAGE, FoldedNet.Layout.NHWC);
    }

    static FastFeaturizer compile(PretrainedModel base, String cutLayer, int imageSize, FoldedNet.Layout layout) {
        return compile(base, cutLayer, imageSize, Pooling.AVERAGE, layout);
    }

    static FastFeaturizer compile(PretrainedModel base, String cutLayer, int imageSize, Pooling pooling,
                                  FoldedNet.Layout layout) {
        FoldedNet net;
        try {
            net = FoldedNet.compile(base.graph(), cutLayer, layout);
        } catch (FoldedNet.Unsupported e) {
            throw new UnsupportedOperationException(e.getMessage(), e);
        }
        return new FastFeaturizer(net, pooling, GraphFeaturizer.rowShape(base, cutLayer, imageSize, pooling),
                GraphFeaturizer.cacheKey(base, cutLayer, imageSize, pooling));
    }

    @Override
    public INDArray featurize(INDArray images) {
        return net.featurize(images, pooling == Pooling.AVERAGE);
    }

    @Override
    public int preferredBatchSize() {
        return PREFERRED_BATCH;
    }

    @Override
    public long[] rowShape() {
        return rowShape.clone();
    }

    @Override
    public String cacheKey() {
        return cacheKey;
    }

    /** Multiply-accumulates per image at {@code size} x {@code size} input, counted from the convolutions. */
    public long macsPerImage(int size) {
        return net.macsPerImage(size);
    }

    /** What was compiled, for logs: convolutions, folded batch norms, fused activations, layout. */
    public String description() {
        return net.description();
    }
}
