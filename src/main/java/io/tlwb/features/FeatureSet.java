package io.tlwb.features;

import io.tlwb.model.FeatureStatistics;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Features of a list of images, one row per image, with their labels: pooled bottleneck features, or flattened
 * activation maps ({@link Pooling#NONE}) whose shape {@link #rowShape} gives.
 *
 * @param views    {@code views.get(0)} holds the features of the images as they are, {@code [n, featureSize]};
 *                 further entries hold augmented views of the same images in the same row order (e.g. mirrored)
 * @param labels   class index per row
 * @param sources  the image each row came from
 * @param rowShape the shape of one row before flattening, e.g. {@code [576]} or {@code [10, 10, 96]}
 */
public record FeatureSet(List<View> viewNames, List<INDArray> views, int[] labels, List<String> sources, int numClasses,
                         long[] rowShape) implements TrainingRows {

    public FeatureSet {
        viewNames = List.copyOf(viewNames);
        views = List.copyOf(views);
        rowShape = rowShape.clone();
        if (views.isEmpty() || viewNames.size() != views.size() || viewNames.get(0) != View.ORIGINAL) {
            throw new IllegalArgumentException("a feature set needs its views named, the original first; got "
                    + viewNames + " for " + views.size() + " views");
        }
        long rowLength = Arrays.stream(rowShape).reduce(1, (a, b) -> a * b);
        for (INDArray v : views) {
            if (v.rows() != labels.length || v.rows() != sources.size()) {
                throw new IllegalArgumentException("feature rows (" + v.rows() + "), labels (" + labels.length
                        + ") and sources (" + sources.size() + ") differ");
            }
            if (v.columns() != rowLength) {
                throw new IllegalArgumentException("feature rows of " + v.columns() + " values do not have shape "
                        + Arrays.toString(rowShape));
            }
        }
    }

    /** Pooled features: each row is a vector. */
    public FeatureSet(List<View> viewNames, List<INDArray> views, int[] labels, List<String> sources, int numClasses) {
        this(viewNames, views, labels, sources, numClasses, new long[]{views.get(0).columns()});
    }

    /** The features of {@code view}, if this set holds it. */
    public Optional<INDArray> view(View view) {
        int index = viewNames.indexOf(view);
        return index < 0 ? Optional.empty() : Optional.of(views.get(index));
    }

    /** {@code rows} ({@code [b, featureSize]}) in the shape a graph reading these features takes: {@code [b, rowShape]}. */
    public INDArray shaped(INDArray rows) {
        if (rowShape.length == 1) {
            return rows;
        }
        long[] shape = new long[rowShape.length + 1];
        shape[0] = rows.size(0);
        System.arraycopy(rowShape, 0, shape, 1, rowShape.length);
        return rows.reshape('c', shape);
    }

    @Override
    public FeatureStatistics statistics() {
        return FeatureStatistics.of(features());
    }

    @Override
    public MinibatchIterator batches(int batchSize, long seed) {
        return new FeatureBatchIterator(this, batchSize, seed);
    }

    /** These rows with every view passed through {@code transform} (e.g. a fixed standardization). */
    public FeatureSet withViews(UnaryOperator<INDArray> transform) {
        return new FeatureSet(viewNames, views.stream().map(transform).toList(), labels, sources, numClasses, rowShape);
    }

    /** Features of the images as they are (no augmentation). */
    public INDArray features() {
        return views.get(0);
    }

    @Override
    public int size() {
        return labels.length;
    }

    @Override
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

    /** The rows at {@code indices}, in that order, with every view, or the original view only. */
    public FeatureSet rows(int[] indices, boolean originalOnly) {
        int viewCount = originalOnly ? 1 : views.size();
        List<INDArray> picked = new ArrayList<>();
        for (int v = 0; v < viewCount; v++) {
            picked.add(views.get(v).getRows(indices));
        }
        int[] pickedLabels = Arrays.stream(indices).map(i -> labels[i]).toArray();
        List<String> pickedSources = Arrays.stream(indices).mapToObj(sources::get).toList();
        return new FeatureSet(viewNames.subList(0, viewCount), picked, pickedLabels, pickedSources, numClasses,
                rowShape);
    }
}
