package io.tlwb.spark;

import io.tlwb.Workspace;
import io.tlwb.data.Augmentation;
import io.tlwb.data.ImageDataset;
import io.tlwb.data.LabeledImage;
import io.tlwb.engine.FrozenBase;
import io.tlwb.features.FeatureCache;
import io.tlwb.features.Featurizers;
import io.tlwb.features.Pooling;
import io.tlwb.features.View;
import io.tlwb.model.GraphSurgery;
import io.tlwb.pipeline.DataSpec;
import io.tlwb.pipeline.FeatureSpec;
import io.tlwb.pipeline.FeatureSplits;
import io.tlwb.pipeline.FeatureStore;
import io.tlwb.pipeline.LocalFeatureStore;
import io.tlwb.pretrained.PretrainedModel;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.BiPredicate;
import java.util.stream.Collectors;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;

/**
 * Featurizes on Apache Spark: the images whose features are not in the feature cache yet are spread over the
 * executors, each of which decodes them with the same image pipeline and runs the same engine on the base (shipped
 * once per executor as a broadcast), and the rows come back into the cache. The driver then assembles the splits
 * exactly as a local run does ({@link LocalFeatureStore}), so the same data and seed give the same features and
 * figures with or without Spark. Executors read the images by their paths: local paths need the same files on every
 * worker (a shared or local-cluster filesystem).
 *
 * <p>With a {@link ParquetStore}, the rows persist there instead: what it holds is read first and never computed
 * again, and the executors append what they compute, a chunk at a time.
 */
public final class SparkFeatureStore implements FeatureStore {

    private final SparkSession spark;
    private final LocalFeatureStore local;
    private final Workspace workspace;
    private final PrintWriter out;
    private final ParquetStore store;
    private final long streamAbove;
    /** The images of a --data folder on a Hadoop filesystem, once {@link #open} listed one; else null. */
    private HadoopImages remote;

    /**
     * @param store       where features persist as Parquet rows, or null to keep them in the workspace's cache only
     * @param streamAbove with a store, the training features' size in bytes above which they are streamed from it
     *                    each epoch instead of held here
     */
    SparkFeatureStore(SparkSession spark, ParquetStore store, long streamAbove, Workspace workspace, PrintWriter out,
                      PrintStream progress) {
        this.spark = spark;
        this.streamAbove = streamAbove;
        this.store = store;
        this.workspace = workspace;
        this.out = out;
        this.local = new LocalFeatureStore(workspace, out, progress);
    }

    @Override
    public FeatureSplits featurize(PretrainedModel base, FeatureSpec spec, String layer, Pooling pooling,
                                   ImageDataset data) {
        String key = Featurizers.cacheKey(base, layer, spec.imageSize(), pooling);
        FeatureCache cache = new FeatureCache(workspace.featureCacheDir(), key);
        int featureSize = GraphSurgery.channelsAt(base, layer);
        boolean streamed = pooling == Pooling.AVERAGE && streamsTraining(data, spec, featureSize);
        // the rows this machine receives: the validation split's alone when the training split's are streamed
        Set<String> received = streamed ? shas(data.validation()) : shas(data);
        // with a store, what it lacks is computed (and appended), whatever this machine's cache holds
        BiPredicate<String, String> missing; // (image sha256, view)
        if (store != null) {
            Set<String> stored = store.loadInto(key, received, cache);
            if (streamed) {
                stored.addAll(store.keys(key, shas(data.train())));
            }
            out.printf(Locale.ROOT, "feature store %s: %d rows of this featurizer for these images%n",
                    store.location(), stored.size());
            missing = (sha256, view) -> !stored.contains(ParquetStore.key(sha256, view));
        } else {
            missing = (sha256, view) -> cache.get(sha256, view).isEmpty();
        }
        List<Task> tasks = new ArrayList<>();
        addMissing(tasks, data, "train", data.train(), spec.augmentation(), missing, remote);
        addMissing(tasks, data, "validation", data.validation(), spec.validationViews(), missing, remote);
        if (!tasks.isEmpty()) {
            long start = System.nanoTime();
            JavaSparkContext context = JavaSparkContext.fromSparkContext(spark.sparkContext());
            Broadcast<ExecutorBase> shipped = context.broadcast(ExecutorBase.of(base, layer, spec.imageSize(), pooling,
                    data.numClasses()));
            HadoopImages.Reader reader = remote == null ? null : remote.reader();
            int chunk = store == null ? tasks.size() : ParquetStore.chunkImages(context.defaultParallelism());
            for (int from = 0; from < tasks.size(); from += chunk) {
                List<Task> part = tasks.subList(from, Math.min(tasks.size(), from + chunk));
                int partitions = Math.max(1, Math.min(part.size(), context.defaultParallelism() * 2));
                JavaRDD<FeatureRow> rows = context.parallelize(new ArrayList<>(part), partitions)
                        .mapPartitions(images -> shipped.value().featurize(images, reader).iterator());
                if (store == null) {
                    // a partition at a time into the driver's cache, not every row at once
                    rows.toLocalIterator().forEachRemaining(row -> cache.put(row.sha256(), row.view(),
                            row.features()));
                } else {
                    store.append(key, rows);
                }
            }
            if (store != null) {
                store.loadInto(key, tasks.stream().map(Task::sha256).filter(received::contains)
                        .collect(Collectors.toSet()), cache);
            }
            out.printf(Locale.ROOT, "featurized %d images on Spark (%s, up to %d partitions a job)%s in %.1f s%n",
                    tasks.size(), spark.sparkContext().master(), context.defaultParallelism() * 2,
                    store == null ? "" : " into " + store.location(), (System.nanoTime() - start) / 1e9);
            shipped.destroy();
        }
        String engine = FrozenBase.engineName() + " on Spark " + spark.sparkContext().master();
        if (streamed) {
            out.printf(Locale.ROOT, "training features: %d images x %d views x %d floats (%d MB), more than this "
                            + "machine holds for them (%d MB, a quarter of ND4J's off-heap limit): streamed from %s "
                            + "each epoch%n", data.train().size(), View.forAugmentation(spec.augmentation()).size(),
                    featureSize, trainingBytes(data, spec, featureSize) >> 20, streamAbove >> 20, store.location());
            return new FeatureSplits(new StreamedRows(store.trainingRows(key, data.train()),
                    View.forAugmentation(spec.augmentation()), data.train().size(), featureSize, data.numClasses()),
                    local.featurizeValidation(base, spec, layer, pooling, data), engine);
        }
        FeatureSplits assembled = local.featurize(base, spec, layer, pooling, data);
        return new FeatureSplits(assembled.train(), assembled.validation(), engine);
    }

    /** With a Parquet store, when the training features would take more than {@link #streamAbove} bytes here. */
    @Override
    public boolean streamsTraining(ImageDataset data, FeatureSpec spec, int featureSize) {
        return store != null && trainingBytes(data, spec, featureSize) > streamAbove;
    }

    private static long trainingBytes(ImageDataset data, FeatureSpec spec, int featureSize) {
        return (long) data.train().size() * View.forAugmentation(spec.augmentation()).size() * featureSize
                * Float.BYTES;
    }

    /** Also opens the images a Parquet store holds rows for, and folders on a Hadoop filesystem. */
    @Override
    public ImageDataset open(DataSpec spec) {
        if (spec.source() == DataSpec.Source.FEATURE_STORE && store != null) {
            return store.dataset();
        }
        if (spec.source() == DataSpec.Source.HADOOP_FILESYSTEM) {
            remote = new HadoopImages(spark.sparkContext().hadoopConfiguration());
            return remote.open(JavaSparkContext.fromSparkContext(spark.sparkContext()), spec.location(),
                    spec.validationSplit(), spec.seed());
        }
        return FeatureStore.super.open(spec);
    }

    private static Set<String> shas(ImageDataset data) {
        Set<String> shas = shas(data.train());
        shas.addAll(shas(data.validation()));
        return shas;
    }

    private static Set<String> shas(List<LabeledImage> images) {
        Set<String> shas = new HashSet<>();
        images.forEach(image -> shas.add(image.sha256()));
        return shas;
    }

    /** One task per image missing any of {@code augmentation}'s views, naming the file as executors read it. */
    private static void addMissing(List<Task> tasks, ImageDataset data, String split, List<LabeledImage> images,
                                   Augmentation augmentation, BiPredicate<String, String> missing,
                                   HadoopImages remote) {
        List<View> views = View.forAugmentation(augmentation);
        for (LabeledImage image : images) {
            if (views.stream().anyMatch(v -> missing.test(image.sha256(), v.name()))) {
                String location = remote == null ? image.file().toString() : remote.location(image.file());
                tasks.add(new Task(location, image.sha256(), image.label(),
                        data.classes().get(image.label()), split, augmentation));
            }
        }
    }

    /** Stops the Spark session. */
    @Override
    public void close() {
        spark.stop();
    }
}
