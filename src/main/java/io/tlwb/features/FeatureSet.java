package io.tlwb.features;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Pooled bottleneck features of a list of images, with their labels.
 *
 * @param views   {@code views.get(0)} holds the features of the images as they are, {@code [n, featureSize]}; further
 *                entries hold augmented views of the same images in the same row order (e.g. mirrored)
 * @param labels  class index per row
 * @param sources the image each row came from
 */
public record FeatureSet(List<INDArray> views, int[] labels, List<String> sources, int numClasses) {

    public FeatureSet {
        views = List.copyOf(views);
        if (views.isEmpty()) {
            throw new IllegalArgumentException("a feature set needs at least one view");
        }
        for (INDArray v : views) {
            if (v.rows() != labels.length || v.rows() != sources.size()) {
                throw new IllegalArgumentException("feature rows (" + v.rows() + "), labels (" + labels.length
                        + ") and sources (" + sources.size() + ") differ");
            }
        }
    }

    /** Features of the images as they are (no augmentation). */
    public INDArray features() {
        return views.get(0);
    }

    public int size() {
        return labels.length;
    }

    public int featureSize() {
        return (int) features().columns();
    }

    /** One-hot labels {@code [n, numClasses]}. */
    public INDArray oneHotLabels() {
        INDArray oneHot = Nd4j.zeros(labels.length, numClasses);
        for (int i = 0; i < labels.length; i++) {
            oneHot.putScalar(i, labels[i], 1.0);
        }
        return oneHot;
    }

    /** The un-augmented features and one-hot labels as a DL4J data set. */
    public DataSet toDataSet() {
        return new DataSet(features(), oneHotLabels());
    }
}
