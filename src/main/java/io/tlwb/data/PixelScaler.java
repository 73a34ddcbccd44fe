package io.tlwb.data;

import io.tlwb.pretrained.Preprocessing;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;

/** Applies a weight source's {@link Preprocessing} ({@code x * scale + offset}) to a batch of [0, 255] pixels, in place. */
final class PixelScaler implements DataSetPreProcessor {

    private final Preprocessing preprocessing;

    PixelScaler(Preprocessing preprocessing) {
        this.preprocessing = preprocessing;
    }

    @Override
    public void preProcess(DataSet dataSet) {
        apply(dataSet.getFeatures());
    }

    INDArray apply(INDArray pixels) {
        return pixels.muli(preprocessing.scale()).addi(preprocessing.offset());
    }
}
