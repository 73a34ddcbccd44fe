package io.tlwb.features;

import io.tlwb.BackgroundWrites;
import io.tlwb.FloatRows;
import io.tlwb.data.Augmentation;
import io.tlwb.data.ImagePipeline;
import io.tlwb.data.LabeledImage;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;
import java.util.stream.IntStream;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
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
    /** Batches of cache entries that may wait for the disk while the engine goes on. */
    private static final int CACHE_WRITES_PENDING = 8;

    private final Featurizer featurizer;
    private final ImagePipeline pipeline;
    private final FeatureCache cache;
    private final int batchSize;
    private final PrintStream progress;
    private final Companion companion;

    /**
     * A second featurizer fed from the same decoded batches: what it computes is only cached, for a later pass that
     * would otherwise decode every image again (fine-tuning's activation maps after the head's pooled features).
     */
    public record Companion(Featurizer featurizer, FeatureCache cache) {
    }

    /**
     * @param batchSize images per featurizer call, capped at the featurizer's {@link Featurizer#preferredBatchSize()}
     * @param progress where to draw progress bars and cache statistics (the CLI passes stderr), or null for none
     */
    public FeatureExtractor(Featurizer featurizer, ImagePipeline pipeline, FeatureCache cache, int batchSize,
                            PrintStream progress) {
        this(featurizer, pipeline, cache, batchSize, progress, null);
    }

    private FeatureExtractor(Featurizer featurizer, ImagePipeline pipeline, FeatureCache cache, int batchSize,
                             PrintStream progress, Companion companion) {
        this.featurizer = featurizer;
        this.pipeline = pipeline;
        this.cache = cache;
        this.batchSize = featurizer.preferredBatchSize() > 0 ? Math.min(batchSize, featurizer.preferredBatchSize())
                : batchSize;
        this.progress = progress;
        this.companion = companion;
    }

    /**
     * This extractor, also caching {@code companion}'s features of every image and fixed view it decodes (random
     * views are drawn per pass, so they are left to the companion's own pass).
     */
    public FeatureExtractor withCompanion(Companion companion) {
        return new FeatureExtractor(featurizer, pipeline, cache, batchSize, progress, companion);
    }

    /** Features of every view of every image, in the order of {@code images}. */
    public FeatureSet extract(String what, List<LabeledImage> images, int numClasses, Augmentation augmentation) {
        List<View> views = View.forAugmentation(augmentation);
        Map<View, float[][]> rows = new LinkedHashMap<>();
        int computed = 0;
        for (View view : views) {
            float[][] features = new float[images.size()][];
            for (int i = 0; i < images.size(); i++) {
                features[i] = cache.get(images.get(i).sha256(), view.name()).orElse(null);
                computed += features[i] == null ? 1 : 0;
            }
            rows.put(view, features);
        }
        computeFixedViews(what, images, numClasses, rows);
        for (View view : views) {
            if (view.random()) {
                computeRandomView(what, view, images, numClasses, rows.get(view));
            }
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

    /** The image and its mirror from one decoding: an image missing either is decoded once, featurized per view. */
    private void computeFixedViews(String what, List<LabeledImage> images, int numClasses,
                                   Map<View, float[][]> rows) {
        List<View> fixed = rows.keySet().stream().filter(view -> !view.random()).toList();
        List<Integer> missing = indicesWhere(images.size(),
                i -> fixed.stream().anyMatch(view -> rows.get(view)[i] == null));
        if (missing.isEmpty()) {
            return;
        }
        List<LabeledImage> todo = missing.stream().map(images::get).toList();
        String task = "featurizing " + what + " (" + String.join(", ", fixed.stream().map(View::name).toList()) + ")";
        try (BackgroundWrites writes = new BackgroundWrites("tlwb-cache-writer", CACHE_WRITES_PENDING);
             Prefetch batches = decodeAhead(todo, numClasses, Augmentation.NONE, 0);
             ProgressBar bar = progressBar(task, todo.size())) {
            int done = 0;
            for (DataSet decoded = batches.next(); decoded != null; decoded = batches.next()) {
                List<Integer> batch = missing.subList(done, done + decoded.numExamples());
                for (View view : fixed) {
                    store(view, batch, rows.get(view), images, decoded.getFeatures(), writes);
                }
                OffHeap.release(decoded.getFeatures(), decoded.getLabels());
                done += batch.size();
                if (bar != null) {
                    bar.stepBy(batch.size());
                }
            }
        }
    }

    /** Decoding and resizing on a thread of its own, two batches ahead, while the featurizer runs on the cores. */
    private Prefetch decodeAhead(List<LabeledImage> todo, int numClasses, Augmentation augmentation, long seed) {
        return new Prefetch(pipeline.iterator(todo, numClasses, batchSize, false, augmentation, seed),
                PREFETCH_BATCHES);
    }

    /** Featurizes one view of a decoded batch if any of its images misses it, keeping (and caching) what was missing. */
    private void store(View view, List<Integer> batch, float[][] into, List<LabeledImage> images, INDArray decoded,
                       BackgroundWrites writes) {
        if (batch.stream().allMatch(index -> into[index] != null)) {
            return;
        }
        INDArray input = view.mirrored() ? ImagePipeline.flipHorizontally(decoded) : decoded;
        List<Integer> companionLacks = companion == null ? List.of() : indicesWhere(batch.size(),
                k -> !companion.cache().contains(images.get(batch.get(k)).sha256(), view.name()));
        // with a companion, one call: the engine reads both from one pass through the base where it can
        INDArray[] outputs = companionLacks.isEmpty() ? new INDArray[]{featurizer.featurize(input)}
                : featurizer.featurizeWith(companion.featurizer(), input);
        float[][] features = FloatRows.of(outputs[0]);
        if (!companionLacks.isEmpty()) {
            float[][] companionFeatures = FloatRows.of(outputs[1]);
            writes.submit(() -> {
                for (int k : companionLacks) {
                    companion.cache().put(images.get(batch.get(k)).sha256(), view.name(), companionFeatures[k]);
                }
            });
        }
        OffHeap.release(outputs);
        OffHeap.release(input == decoded ? null : input);
        List<Integer> lacking = indicesWhere(features.length, k -> into[batch.get(k)] == null);
        for (int k : lacking) {
            into[batch.get(k)] = features[k];
        }
        writes.submit(() -> {
            for (int k : lacking) {
                cache.put(images.get(batch.get(k)).sha256(), view.name(), features[k]);
            }
        });
    }

    /** A random flip-and-rotation view: its own sequential pass, so the seeded draws replay exactly. */
    private void computeRandomView(String what, View view, List<LabeledImage> images, int numClasses,
                                   float[][] into) {
        List<Integer> missing = indicesWhere(images.size(), i -> into[i] == null);
        if (missing.isEmpty()) {
            return;
        }
        List<LabeledImage> todo = missing.stream().map(images::get).toList();
        try (BackgroundWrites writes = new BackgroundWrites("tlwb-cache-writer", CACHE_WRITES_PENDING);
             Prefetch batches = decodeAhead(todo, numClasses, Augmentation.FLIP_ROTATE, view.randomIndex());
             ProgressBar bar = progressBar("featurizing " + what + " (" + view.name() + ")", todo.size())) {
            int done = 0;
            for (DataSet batch = batches.next(); batch != null; batch = batches.next()) {
                INDArray output = featurizer.featurize(batch.getFeatures());
                float[][] features = FloatRows.of(output);
                // free the batch's off-heap memory now rather than when the JVM next collects
                OffHeap.release(output, batch.getFeatures(), batch.getLabels());
                List<Integer> indices = missing.subList(done, done + features.length);
                for (int k = 0; k < features.length; k++) {
                    into[indices.get(k)] = features[k];
                }
                writes.submit(() -> {
                    for (int k = 0; k < features.length; k++) {
                        cache.put(images.get(indices.get(k)).sha256(), view.name(), features[k]);
                    }
                });
                done += features.length;
                if (bar != null) {
                    bar.stepBy(features.length);
                }
            }
        }
    }

    /** The indices below {@code n} that {@code test} holds for, in order. */
    private static List<Integer> indicesWhere(int n, IntPredicate test) {
        return IntStream.range(0, n).filter(test).boxed().toList();
    }

    private ProgressBar progressBar(String task, int total) {
        if (progress == null) {
            return null;
        }
        return new ProgressBarBuilder().setTaskName(task).setInitialMax(total).setUnit(" img", 1)
                .setConsumer(new ConsoleProgressBarConsumer(progress)).showSpeed().build();
    }
}
