package io.tlwb.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.tlwb.pretrained.Preprocessing;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class PixelScalerTest {

    private final PixelScaler scaler = new PixelScaler(Preprocessing.MINUS_ONE_TO_ONE);

    private static INDArray pixels(long... shape) {
        return Nd4j.rand(DataType.FLOAT, shape).muli(255);
    }

    private static INDArray scaled(INDArray pixels) {
        return pixels.dup('c').muli(1.0 / 127.5).subi(1.0);
    }

    @Test
    void scalesDataVecsPermutedNchwBatchInPlaceKeepingTheView() {
        INDArray nhwc = pixels(3, 4, 5, 3).permute(0, 3, 1, 2).dup('c').permute(0, 2, 3, 1);
        INDArray expected = scaled(nhwc);
        DataSet batch = new DataSet(nhwc, Nd4j.zeros(DataType.FLOAT, 3, 2));
        scaler.preProcess(batch);
        assertSame(nhwc, batch.getFeatures(), "no copy: the engine reads the NCHW buffer where it is");
        assertEquals(expected, batch.getFeatures());
    }

    @Test
    void scalesADenseBatchInPlace() {
        INDArray nhwc = pixels(2, 4, 5, 3);
        INDArray expected = scaled(nhwc);
        DataSet batch = new DataSet(nhwc, Nd4j.zeros(DataType.FLOAT, 2, 2));
        scaler.preProcess(batch);
        assertSame(nhwc, batch.getFeatures());
        assertEquals(expected, batch.getFeatures());
    }

    @Test
    void copiesAnyOtherStridedBatchToDenseNhwcFirst() {
        INDArray slice = pixels(4, 4, 5, 3).get(NDArrayIndex.interval(1, 3), NDArrayIndex.all(), NDArrayIndex.all(),
                NDArrayIndex.all());
        INDArray expected = scaled(slice);
        DataSet batch = new DataSet(slice, Nd4j.zeros(DataType.FLOAT, 2, 2));
        scaler.preProcess(batch);
        assertEquals(expected, batch.getFeatures());
        assertArrayEquals(Nd4j.getStrides(new long[]{2, 4, 5, 3}, 'c'), batch.getFeatures().stride());
    }
}
