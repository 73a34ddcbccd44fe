package io.tlwb.spark;

import io.tlwb.AtomicFiles;
import io.tlwb.FloatRows;
import io.tlwb.data.Augmentation;
import io.tlwb.data.ImagePipeline;
import io.tlwb.data.LabeledImage;
import io.tlwb.features.FeatureCache;
import io.tlwb.features.FeatureExtractor;
import io.tlwb.features.FeatureSet;
import io.tlwb.features.Featurizer;
import io.tlwb.features.Featurizers;
import io.tlwb.features.Pooling;
import io.tlwb.pipeline.LocalFeatureStore;
import io.tlwb.pretrained.Preprocessing;
import io.tlwb.pretrained.PretrainedModel;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.linalg.Vectors;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The base as executors receive it (one broadcast per job) and what they do with a partition: decode each image with
 * the image pipeline, run the engine, and return one row per view. The engine is compiled once per task thread.
 */
final class ExecutorBase implements Serializable {

    private final byte[] graph;
    private final String spec;
    private final String sha256;
    private final int nativeInputSize;
    private final String preprocessing;
    private final String bottleneck;
    private final String layer;
    private final int imageSize;
    private final Pooling pooling;
    private final int numClasses;

    private transient volatile PretrainedModel restored;
    /** One compiled engine per task thread of this executor JVM: an engine runs one batch at a time. */
    private transient volatile ThreadLocal<Featurizer> featurizers;

    ExecutorBase(byte[] graph, String spec, String sha256, int nativeInputSize, String preprocessing,
                 String bottleneck, String layer, int imageSize, Pooling pooling, int numClasses) {
        this.graph = graph;
        this.spec = spec;
        this.sha256 = sha256;
        this.nativeInputSize = nativeInputSize;
        this.preprocessing = preprocessing;
        this.bottleneck = bottleneck;
        this.layer = layer;
        this.imageSize = imageSize;
        this.pooling = pooling;
        this.numClasses = numClasses;
    }

    /** What executors need of {@code base} to featurize at {@code layer}: its graph as bytes and how to read it. */
    static ExecutorBase of(PretrainedModel base, String layer, int imageSize, Pooling pooling, int numClasses) {
        return new ExecutorBase(graphBytes(base), base.spec(), base.sha256(), base.nativeInputSize(),
                base.preprocessing().name(), base.bottleneckLayer(), layer, imageSize, pooling, numClasses);
    }

    private static byte[] graphBytes(PretrainedModel base) {
        try (ByteArrayOutputStream bytes = new ByteArrayOutputStream()) {
            ModelSerializer.writeModel(base.graph(), bytes, false);
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialize the base for the executors", e);
        }
    }

    /**
     * Every view of every image of the partition, featurized as {@link FeatureExtractor} does locally; with
     * {@code remote} (the dataset is on a Hadoop filesystem; null when its paths are local), each image is first copied
     * here through it.
     */
    List<FeatureRow> featurize(Iterator<Task> partition, HadoopImages.Reader remote) throws IOException {
        Map<Augmentation, List<Task>> byAugmentation = new LinkedHashMap<>();
        partition.forEachRemaining(t -> byAugmentation.computeIfAbsent(t.augmentation(), a -> new ArrayList<>()).add(t));
        PretrainedModel base = base();
        Path scratch = Files.createTempDirectory("tlwb-executor-cache-");
        try {
            FeatureExtractor extractor = new FeatureExtractor(featurizers.get(),
                    new ImagePipeline(imageSize, base.preprocessing()),
                    new FeatureCache(scratch, "executor"), LocalFeatureStore.FEATURIZE_BATCH, null);
            List<FeatureRow> rows = new ArrayList<>();
            for (Map.Entry<Augmentation, List<Task>> group : byAugmentation.entrySet()) {
                List<Task> tasks = group.getValue();
                List<LabeledImage> images = new ArrayList<>();
                for (Task t : tasks) {
                    Path file = remote == null ? Path.of(t.path()) : remote.stage(t.path(), scratch);
                    images.add(new LabeledImage(file, t.label(), t.sha256()));
                }
                FeatureSet set = extractor.extract("partition", images, numClasses, group.getKey());
                for (int v = 0; v < set.viewNames().size(); v++) {
                    float[][] matrix = FloatRows.of(set.views().get(v));
                    for (int i = 0; i < tasks.size(); i++) {
                        Task task = tasks.get(i);
                        rows.add(new FeatureRow(task.sha256(), task.path(), task.className(), task.split(),
                                set.viewNames().get(v).name(), matrix[i]));
                    }
                }
            }
            return rows;
        } finally {
            AtomicFiles.deleteTree(scratch);
        }
    }

    /**
     * How this base featurizes encoded images for {@link ImageFeaturizer}: decoded as the serving API decodes uploads,
     * pooled features out as an ML vector (what Spark ML's estimators take), on this task thread's engine.
     */
    EncodedImages.Computation encodedImages() throws IOException {
        PretrainedModel base = base();
        ImagePipeline pipeline = new ImagePipeline(imageSize, base.preprocessing());
        Featurizer featurizer = featurizers.get();
        return new EncodedImages.Computation() {
            @Override
            public INDArray decode(byte[] bytes) {
                return pipeline.load(bytes, "row", ImagePipeline.MAX_PIXELS);
            }

            @Override
            public Object[][] compute(INDArray batch) {
                double[][] features = featurizer.featurize(batch).toDoubleMatrix();
                Object[][] values = new Object[features.length][];
                for (int i = 0; i < features.length; i++) {
                    values[i] = new Object[] {Vectors.dense(features[i])};
                }
                return values;
            }
        };
    }

    /** The base, restored from the broadcast bytes once per executor JVM (its engines then compiled per thread). */
    private PretrainedModel base() throws IOException {
        PretrainedModel model = restored;
        if (model == null) {
            synchronized (this) {
                if (restored == null) {
                    ComputationGraph g = ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(graph), false);
                    PretrainedModel loaded = new PretrainedModel(spec, g, Path.of(spec), sha256, nativeInputSize,
                            Preprocessing.named(preprocessing), bottleneck);
                    featurizers = ThreadLocal.withInitial(() -> Featurizers.create(loaded, layer, imageSize, pooling));
                    restored = loaded;
                }
                model = restored;
            }
        }
        return model;
    }
}
