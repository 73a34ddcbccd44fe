package io.tlwb.features;

import java.util.List;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/**
 * What every minibatch source of {@link TrainingRows} shares as a DL4J {@link DataSetIterator}: a fixed batch size
 * and shape, resettable (each reset is a new epoch), never wrapped in DL4J's asynchronous prefetch (a batch is cheap
 * to gather and its order must replay), and an optional preprocessor.
 */
public abstract class MinibatchIterator implements DataSetIterator {

    private final int batchSize;
    private final int featureSize;
    private final int numClasses;
    private DataSetPreProcessor preProcessor;

    protected MinibatchIterator(int batchSize, int featureSize, int numClasses) {
        this.batchSize = batchSize;
        this.featureSize = featureSize;
        this.numClasses = numClasses;
    }

    /** {@code batch} after the preprocessor, if one is set. */
    protected final DataSet preProcessed(DataSet batch) {
        if (preProcessor != null) {
            preProcessor.preProcess(batch);
        }
        return batch;
    }

    @Override
    public final DataSet next() {
        return next(batchSize);
    }

    @Override
    public final int inputColumns() {
        return featureSize;
    }

    @Override
    public final int totalOutcomes() {
        return numClasses;
    }

    @Override
    public final boolean resetSupported() {
        return true;
    }

    @Override
    public final boolean asyncSupported() {
        return false;
    }

    @Override
    public final int batch() {
        return batchSize;
    }

    @Override
    public final void setPreProcessor(DataSetPreProcessor preProcessor) {
        this.preProcessor = preProcessor;
    }

    @Override
    public final DataSetPreProcessor getPreProcessor() {
        return preProcessor;
    }

    @Override
    public final List<String> getLabels() {
        return null;
    }
}
