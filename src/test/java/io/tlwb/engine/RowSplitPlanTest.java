package io.tlwb.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tlwb.Workspace;
import io.tlwb.pretrained.PretrainedModel;
import io.tlwb.pretrained.WeightSources;
import io.tlwb.testing.DemoPhotos;
import io.tlwb.testing.OfflineWeights;
import io.tlwb.testing.TinyBase;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A single image split by rows over several cores gives what the batch path gives. The first four single-image calls
 * of an engine are two split over every core, then two on one core ({@link SingleImageThreads}' first probes), so
 * the first image of every check goes through both; the later ones take whichever was faster.
 */
class RowSplitPlanTest {

    private final int threads = FrozenBase.threads();

    @AfterEach
    void restoreThreads() {
        FrozenBase.useThreads(threads);
    }

    /** Every call on image {@code i} alone (NHWC, then as DataVec lays it out) equals row {@code i} of the batch. */
    private static void assertSingleImagesEqualBatch(String what, INDArray batch, INDArray images,
                                                     Function<INDArray, INDArray> run) {
        double scale = Math.max(1e-6, batch.amaxNumber().doubleValue());
        for (int i = 0; i < images.size(0); i++) {
            INDArray one = images.get(NDArrayIndex.interval(i, i + 1)).dup('c');
            INDArray dataVecLayout = one.permute(0, 3, 1, 2).dup('c').permute(0, 2, 3, 1);
            for (int call = 0; call < 4; call++) {
                INDArray got = run.apply(call % 2 == 0 ? one : dataVecLayout);
                INDArray expected = batch.getRow(i, true);
                assertEquals(Arrays.toString(expected.shape()), Arrays.toString(got.shape()));
                double diff = Transforms.abs(expected.sub(got)).maxNumber().doubleValue();
                assertTrue(diff <= 1e-4 * scale, what + ", image " + i + ", call " + call + ": max abs diff " + diff
                        + " of max " + scale);
            }
        }
    }

    @Test
    void mobileNetV2SplitOverTwoOrThreeCoresEqualsTheBatchAtEvenAndOddSizes() {
        Workspace workspace = new Workspace(Path.of(""));
        OfflineWeights.assumeFetched(workspace);
        PretrainedModel base = WeightSources.load(WeightSources.NSFWJS_SPEC, workspace);
        for (int size : new int[]{160, 99}) { // 99 px: odd row counts at every stride, uneven bands
            INDArray images = DemoPhotos.batch(size, base.preprocessing()).get(NDArrayIndex.interval(0, 2));
            for (int cores : new int[]{2, 3}) {
                FrozenBase.useThreads(cores);
                String at = size + " px over " + cores + " cores";
                try (FrozenBase engine = FrozenBase.compile(base.graph(), "out_relu")) {
                    assertSingleImagesEqualBatch("pooled, " + at, engine.pooled(images), images, engine::pooled);
                    assertSingleImagesEqualBatch("maps, " + at, engine.maps(images), images, engine::maps);
                }
                try (FrozenBase engine = FrozenBase.compile(base.graph(), "block_13_expand_relu", "block_12_add")) {
                    INDArray[] batch = engine.pooledWithSideMaps(images);
                    assertSingleImagesEqualBatch("pooled beside side maps, " + at, batch[0], images,
                            one -> engine.pooledWithSideMaps(one)[0]);
                    assertSingleImagesEqualBatch("side maps, " + at, batch[1], images,
                            one -> engine.pooledWithSideMaps(one)[1]);
                }
            }
        }
    }

    /** Zero padding merged into a stride-2 convolution, a residual add into a value a 3x3 convolution reads. */
    @Test
    void residualBlockSplitOverMoreCoresThanSomeLayersHaveRowsEqualsTheBatch() {
        PretrainedModel base = TinyBase.residualBlock(false);
        TinyBase.randomizeBatchNorms(base.graph(), 3);
        for (int size : new int[]{32, 27, 5}) {
            INDArray images = Nd4j.rand(DataType.FLOAT, 2, size, size, 3);
            for (int cores : new int[]{2, 3, 4}) {
                FrozenBase.useThreads(cores);
                try (FrozenBase engine = FrozenBase.compile(base.graph(), "out_relu")) {
                    String at = size + " px over " + cores + " cores";
                    assertSingleImagesEqualBatch("pooled, " + at, engine.pooled(images), images, engine::pooled);
                    assertSingleImagesEqualBatch("maps, " + at, engine.maps(images), images, engine::maps);
                }
            }
        }
    }
}
