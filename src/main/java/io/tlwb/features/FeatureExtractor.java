package io.tlwb.features;

import io.tlwb.data.Augmentation;
import io.tlwb.data.ImagePipeline;
import io.tlwb.data.LabeledImage;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import org.deeplearning4j.datasets.iterator.AsyncDataSetIterator;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Featurize once: pooled bottleneck features (or activation maps) for a list of images, taken from the {@link FeatureCache} where present
 * and computed (then cached) where not. Training epochs, search candidates and re-runs then cost seconds.
 *
 * <p>Augmentation becomes a fixed set of cached views per image: the image itself, its mirror image ({@code flip}),
 * and for {@code flip-rotate} two more randomly flipped and rotated copies; training draws one view per image per
 * epoch. The random views are drawn once, when first cached, so a warm cache replays them exactly.
 */
public final class FeatureExtractor {

    private static final int PREFETCH_BATCHES = 2;

    private final Featurizer featurizer;
    private final ImagePipeline pipeline;
    private final FeatureCache cache;
    private final int batchSize;
    private final PrintStream progress;

    /**
     * @param batchSize images per featurizer call, capped at the featurizer's {@link Featurizer#preferredBatchSize()}
     * @param progress where to draw progress bars and cache statistics (the CLI passes stderr), or null for none
     */
    public FeatureExtractor(Featurizer featurizer, ImagePipeline pipeline, FeatureCache cache, int batchSize,
                            PrintStream progress) {
        this.featurizer = featurizer;
        this.pipeline = pipeline;
        this.cache = cache;
        this.batchSize = featurizer.preferredBatchSize() > 0 ? Math.min(batchSize, featurizer.preferredBatchSize())
                : batchSize;
        this.progress = progress;
    }

    /** Features of every view of every image, in the order of {@code images}. */
    public FeatureSet extract(String what, List<LabeledImage> images, int numClasses, Augmentation augmentation) {
        List<View> views = View.forAugmentation(augmentation);
        Map<View, float[][]> rows = new HashMap<>();
        int computed = 0;
        for (View view : views) {
            float[][] features = new float[images.size()][];
            List<Integer> missing = new ArrayList<>();
            for (int i = 0; i < images.size(); i++) {
                features[i] = cache.get(images.get(i).sha256(), view.name()).orElse(null);
                if (features[i] == null) {
                    missing.add(i);
                }
            }
            if (!missing.isEmpty()) {
                compute(what, view, images, missing, numClasses, features);
                computed += missing.size();
            }
            rows.put(view, features);
        }
        if (progress != null) {
            int total = images.size() * views.size();
            progress.printf("%s: %d images x %d view%s %s; %d from the feature cache, %d computed%n", what,
                    images.size(), views.size(), views.size() == 1 ? "" : "s",
                    views.stream().map(View::name).toList(), total - computed, computed);
        }
        List<INDArray> arrays = views.stream().map(v -> Nd4j.createFromArray(rows.get(v))).toList();
        int[] labels = images.stream().mapToInt(LabeledImage::label).toArray();
        List<String> sources = images.stream().map(image -> image.file().toString()).toList();
        return new FeatureSet(views, arrays, labels, sources, numClasses, featurizer.rowShape());
    }

    private void compute(String what, View view, List<LabeledImage> images, List<Integer> missing, int numClasses,
                         float[][] into) {
        List<LabeledImage> todo = missing.stream().map(images::get).toList();
        Augmentation augmentation = view.random() ? Augmentation.FLIP_ROTATE : Augmentation.NONE;
        long seed = view.randomIndex();
        // decode + resize on DL4J's prefetch thread (two batches ahead) while the featurizer runs on the cores
        AsyncDataSetIterator batches = new AsyncDataSetIterator(
                pipeline.iterator(todo, numClasses, batchSize, false, augmentation, seed), PREFETCH_BATCHES, false);
        try (ProgressBar bar = progressBar("featurizing " + what + " (" + view.name() + ")", todo.size())) {
            int done = 0;
            while (batches.hasNext()) {
                DataSet batch = batches.next();
                INDArray input = view.mirrored()
                        ? ImagePipeline.flipHorizontally(batch.getFeatures()) : batch.getFeatures();
                INDArray output = featurizer.featurize(input);
                float[][] features = output.toFloatMatrix();
                // free the batch's off-heap memory now rather than when the JVM next collects
                release(output, input, batch.getFeatures(), batch.getLabels());
                for (float[] row : features) {
                    int index = missing.get(done++);
                    into[index] = row;
                    cache.put(images.get(index).sha256(), view.name(), row);
                }
                if (bar != null) {
                    bar.stepBy(features.length);
                }
            }
        } finally {
            batches.shutdown();
        }
    }

    private static void release(INDArray... arrays) {
        java.util.Set<INDArray> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (INDArray array : arrays) {
            if (array != null && seen.add(array) && array.closeable()) {
                array.close();
            }
        }
    }

    private ProgressBar progressBar(String task, int total) {
        if (progress == null) {
            return null;
        }
        return new ProgressBarBuilder().setTaskName(task).setInitialMax(total).setUnit(" img", 1)
                .setConsumer(new ConsoleProgressBarConsumer(progress)).showSpeed().build();
    }
}
