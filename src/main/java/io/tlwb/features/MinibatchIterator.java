package io.tlwb.features;

import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/**
 * What every minibatch source of {@link TrainingRows} shares as a DL4J {@link DataSetIterator}: a fixed batch size
 * and shape, resettable (each reset is a new epoch), never wrapped in DL4J's asynchronous prefetch (a batch is cheap
 * to gather and its order must replay), an optional preprocessor, and on request each batch freed when the next is
 * asked for ({@link #releasingEachBatch()}).
 */
public abstract class MinibatchIterator implements DataSetIterator {

    private final int batchSize;
    private final int featureSize;
    private final int numClasses;
    private DataSetPreProcessor preProcessor;
    private boolean releasing;
    private final List<INDArray> lastBatch = new ArrayList<>();

    protected MinibatchIterator(int batchSize, int featureSize, int numClasses) {
        this.batchSize = batchSize;
        this.featureSize = featureSize;
        this.numClasses = numClasses;
    }

    /**
     * This iterator, freeing each batch's arrays when the next batch is asked for: for a consumer done with a batch by
     * then, as DL4J's {@code fit} is with an iterator it does not prefetch. Left to the garbage collector, every batch
     * lands in fresh native memory, and first touches are dear on a VM: 7.5 ms for a batch of 32 activation maps
     * (1.7 MB) against 0.05 ms for memory freed and reused, measured on the development machine.
     */
    public final MinibatchIterator releasingEachBatch() {
        releasing = true;
        return this;
    }

    /** The next {@code num} rows (fewer at the end of an epoch), before the preprocessor. */
    protected abstract DataSet nextBatch(int num);

    /**
     * Marks {@code fresh}, made for the batch being built and read by nothing else, as the batch's own: freed with it
     * when releasing (for arrays the batch only holds views of).
     */
    protected final INDArray owned(INDArray fresh) {
        if (releasing) {
            lastBatch.add(fresh);
        }
        return fresh;
    }

    @Override
    public final DataSet next(int num) {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        releaseLastBatch();
        DataSet batch = nextBatch(num);
        if (preProcessor != null) {
            preProcessor.preProcess(batch);
        }
        owned(batch.getFeatures());
        owned(batch.getLabels());
        return batch;
    }

    private void releaseLastBatch() {
        OffHeap.release(lastBatch.toArray(INDArray[]::new));
        lastBatch.clear();
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
