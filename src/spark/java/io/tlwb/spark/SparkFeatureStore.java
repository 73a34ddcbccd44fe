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
import io.tlwb.pipeline.FeatureSpec;
import io.tlwb.pipeline.FeatureSplits;
import io.tlwb.pipeline.FeatureStore;
import io.tlwb.pipeline.LocalFeatureStore;
import io.tlwb.pretrained.PretrainedModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.util.ModelSerializer;

/**
 * Featurizes on Apache Spark: the images whose features are not in the feature cache yet are spread over the
 * executors, each of which decodes them with the same image pipeline and runs the same engine on the base (shipped
 * once per executor as a broadcast), and the rows come back into the cache. The driver then assembles the splits
 * exactly as a local run does ({@link LocalFeatureStore}), so the same data and seed give the same features and
 * figures with or without Spark. Executors read the images by their paths: local paths need the same files on every
 * worker (a shared or local-cluster filesystem), Hadoop URIs are read through Spark.
 */
public final class SparkFeatureStore implements FeatureStore {

    private final SparkSession spark;
    private final LocalFeatureStore local;
    private final Workspace workspace;
    private final PrintWriter out;

    public SparkFeatureStore(SparkSession spark, Workspace workspace, PrintWriter out, PrintStream progress) {
        this.spark = spark;
        this.workspace = workspace;
        this.out = out;
        this.local = new LocalFeatureStore(workspace, out, progress);
    }

    @Override
    public FeatureSplits featurize(PretrainedModel base, FeatureSpec spec, String layer, Pooling pooling,
                                   ImageDataset data) {
        FeatureCache cache = new FeatureCache(workspace.featureCacheDir(),
                Featurizers.cacheKey(base, layer, spec.imageSize(), pooling));
        List<Task> tasks = new ArrayList<>();
        addMissing(tasks, data.train(), spec.augmentation(), cache);
        addMissing(tasks, data.validation(), spec.validationViews(), cache);
        if (!tasks.isEmpty()) {
            long start = System.nanoTime();
            JavaSparkContext context = JavaSparkContext.fromSparkContext(spark.sparkContext());
            Broadcast<ExecutorBase> shipped = context.broadcast(new ExecutorBase(graphBytes(base), base.spec(),
                    base.sha256(), base.nativeInputSize(), base.preprocessing().name(), base.bottleneckLayer(), layer,
                    spec.imageSize(), pooling, data.numClasses()));
            int partitions = Math.max(1, Math.min(tasks.size(), context.defaultParallelism() * 2));
            JavaRDD<Task> rdd = context.parallelize(tasks, partitions);
            // a partition at a time into the driver's cache, not every row at once
            Iterator<FeatureRow> rows = rdd.mapPartitions(part -> shipped.value().featurize(part).iterator())
                    .toLocalIterator();
            rows.forEachRemaining(row -> cache.put(row.sha256(), row.view(), row.features()));
            out.printf(Locale.ROOT, "featurized %d images on Spark (%s, %d partitions) in %.1f s%n", tasks.size(),
                    spark.sparkContext().master(), partitions, (System.nanoTime() - start) / 1e9);
            shipped.destroy();
        }
        FeatureSplits assembled = local.featurize(base, spec, layer, pooling, data);
        return new FeatureSplits(assembled.train(), assembled.validation(),
                FrozenBase.engineName() + " on Spark " + spark.sparkContext().master());
    }

    /** One task per image missing any of {@code augmentation}'s views in the cache. */
    private static void addMissing(List<Task> tasks, List<LabeledImage> images, Augmentation augmentation,
                                   FeatureCache cache) {
        List<View> views = View.forAugmentation(augmentation);
        for (LabeledImage image : images) {
            if (views.stream().anyMatch(v -> cache.get(image.sha256(), v.name()).isEmpty())) {
                tasks.add(new Task(image.file().toString(), image.sha256(), image.label(), augmentation));
            }
        }
    }

    private static byte[] graphBytes(PretrainedModel base) {
        try (ByteArrayOutputStream bytes = new ByteArrayOutputStream()) {
            ModelSerializer.writeModel(base.graph(), bytes, false);
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialize the base for the executors", e);
        }
    }

    /** Stops the Spark session. */
    @Override
    public void close() {
        spark.stop();
    }
}
