package io.tlwb.data;

import java.util.List;
import java.util.Random;
import org.deeplearning4j.datasets.datavec.RecordReaderDataSetIterator;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/**
 * The {@link RecordReaderDataSetIterator} over an {@link EpochShuffledSplit}, with epochs counted: a {@link #reset()}
 * after at least one batch starts the next epoch, with its own read order and augmentation seed. The pixel scaling is
 * part of the iterator; {@link #setPreProcessor} adds a further step after it.
 */
final class ImageBatchIterator implements DataSetIterator {

    private final RecordReaderDataSetIterator delegate;
    private final EpochShuffledSplit split;
    private final FlipRotateTransform augmentation;
    private final long seed;
    private final List<String> labels;
    private DataSetPreProcessor extra;
    private int epoch;
    private boolean consumed;

    ImageBatchIterator(RecordReaderDataSetIterator delegate, EpochShuffledSplit split,
                       FlipRotateTransform augmentation, long seed, List<String> labels) {
        this.delegate = delegate;
        this.split = split;
        this.augmentation = augmentation;
        this.seed = seed;
        this.labels = List.copyOf(labels);
        startEpoch(0);
    }

    private void startEpoch(int e) {
        epoch = e;
        split.epoch(e);
        if (augmentation != null) {
            augmentation.setRandom(new Random(Seeds.mix(seed ^ 0x5DEECE66DL, e)));
        }
    }

    /** The epoch the next batch belongs to, from 0. */
    int epoch() {
        return epoch;
    }

    @Override
    public DataSet next(int num) {
        consumed = true;
        DataSet ds = delegate.next(num);
        if (extra != null) {
            extra.preProcess(ds);
        }
        return ds;
    }

    @Override
    public DataSet next() {
        return next(delegate.batch());
    }

    @Override
    public boolean hasNext() {
        return delegate.hasNext();
    }

    @Override
    public void reset() {
        if (consumed) {
            startEpoch(epoch + 1);
            consumed = false;
        }
        delegate.reset();
    }

    @Override
    public int inputColumns() {
        return delegate.inputColumns();
    }

    @Override
    public int totalOutcomes() {
        return delegate.totalOutcomes();
    }

    @Override
    public boolean resetSupported() {
        return true;
    }

    @Override
    public boolean asyncSupported() {
        return true;
    }

    @Override
    public int batch() {
        return delegate.batch();
    }

    @Override
    public void setPreProcessor(DataSetPreProcessor preProcessor) {
        this.extra = preProcessor;
    }

    @Override
    public DataSetPreProcessor getPreProcessor() {
        return extra;
    }

    /** The class names by label index, as the folders name them. */
    @Override
    public List<String> getLabels() {
        return labels;
    }
}
