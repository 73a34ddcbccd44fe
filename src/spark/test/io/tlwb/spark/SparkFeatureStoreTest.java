package io.tlwb.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tlwb.RunFolder;
import io.tlwb.WorkbenchException;
import io.tlwb.Workspace;
import io.tlwb.data.Augmentation;
import io.tlwb.data.DataException;
import io.tlwb.data.ImageDataset;
import io.tlwb.data.ImageFolders;
import io.tlwb.data.LabeledImage;
import io.tlwb.features.FeatureSet;
import io.tlwb.features.Pooling;
import io.tlwb.model.FeatureStatistics;
import io.tlwb.model.HeadConfig;
import io.tlwb.model.TestTimeAugmentation;
import io.tlwb.model.Updater;
import io.tlwb.pipeline.Clusters;
import io.tlwb.pipeline.DataSpec;
import io.tlwb.pipeline.FeatureSpec;
import io.tlwb.pipeline.FeatureSplits;
import io.tlwb.pipeline.FeatureStore;
import io.tlwb.pipeline.HeadRecipe;
import io.tlwb.pipeline.LocalFeatureStore;
import io.tlwb.pipeline.OutputSpec;
import io.tlwb.pipeline.TrainingJob;
import io.tlwb.pipeline.TrainingOptions;
import io.tlwb.pipeline.TrainingResult;
import io.tlwb.pretrained.PretrainedModel;
import io.tlwb.train.ClassWeighting;
import io.tlwb.train.EarlyStopping;
import io.tlwb.testing.LearnableImages;
import io.tlwb.testing.TinyBase;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Featurizing on a real multi-process Spark cluster (two executor JVMs) gives what this machine gives. */
class SparkFeatureStoreTest {

    static final String CLUSTER = "local-cluster[2,1,1024]";

    @TempDir
    Path tmp;

    private final PretrainedModel base = TinyBase.create(16, 21);

    private TrainingOptions options(Path data, Path model) {
        return new TrainingOptions(new DataSpec(data, 0.25, 7),
                new FeatureSpec(32, Augmentation.FLIP, TestTimeAugmentation.FLIP),
                new HeadRecipe(new HeadConfig(true, 0, 0.2, 0, Updater.ADAM, 3e-2), 4, 6, null),
                new OutputSpec(model, false, null));
    }

    /** The learnable two-class folder a test featurizes, its split, where its store goes and the features' spec. */
    private record Bugs(Path data, String store, ImageDataset images, FeatureSpec spec) {
    }

    private Bugs bugs() {
        Path data = LearnableImages.write(tmp.resolve("bugs"), 8, 32, 3);
        return new Bugs(data, tmp.resolve("store").toUri().toString(), ImageFolders.open(data, 0.25, 7),
                options(data, null).features());
    }

    /** The Spark home the build points SPARK_HOME at: workers read its (empty) jars folder and work below it. */
    @BeforeAll
    static void sparkHome() throws Exception {
        Files.createDirectories(Path.of(System.getenv("SPARK_HOME"), "jars"));
    }

    @Test
    void aClusterOfExecutorJvmsGivesTheSameFeaturesAndTheSameFiguresAsThisMachine() throws Exception {
        Path data = LearnableImages.write(tmp.resolve("bugs"), 8, 32, 3);
        Workspace here = new Workspace(tmp.resolve("here"));
        Workspace cluster = new Workspace(tmp.resolve("cluster"));
        StringWriter said = new StringWriter();
        PrintWriter out = new PrintWriter(said, true);

        ImageDataset images = ImageFolders.open(data, 0.25, 7);
        FeatureSpec spec = options(data, null).features();
        FeatureSplits local = new LocalFeatureStore(here, out, null).featurize(base, spec, "out_relu",
                Pooling.AVERAGE, images);
        TrainingResult localRun = new TrainingJob(here, out, null).run(base, options(data, tmp.resolve("l.zip")),
                RunFolder.create(here.runsDir(), "train"));

        try (FeatureStore spark = Clusters.connect("--spark", CLUSTER, null, cluster, out, null)) {
            SparkSession session = SparkSession.active();
            long driver = ProcessHandle.current().pid();
            List<Long> executors = JavaSparkContext.fromSparkContext(session.sparkContext())
                    .parallelize(List.of(1, 2, 3, 4), 4).map(i -> ProcessHandle.current().pid()).distinct().collect();
            assertFalse(executors.contains(driver), "tasks run in executor JVMs, not the driver");

            FeatureSplits remote = spark.featurize(base, spec, "out_relu", Pooling.AVERAGE, images);
            assertTrue(said.toString().contains("on Spark (" + CLUSTER), said.toString());
            assertTrue(remote.engine().endsWith("on Spark " + CLUSTER), remote.engine());
            assertSameFeatures(local, remote);

            TrainingResult clusterRun = TrainingJob.featurizingWith(spark, cluster, out)
                    .run(base, options(data, tmp.resolve("c.zip")), RunFolder.create(cluster.runsDir(), "train"));
            assertEquals(localRun.outcome().after().accuracy(), clusterRun.outcome().after().accuracy());
            assertEquals(localRun.outcome().after().loss(), clusterRun.outcome().after().loss(), 1e-6);
        }
    }

    @Test
    void aParquetStoreKeepsFeaturesAcrossWorkspacesAndARerunComputesNothing() throws Exception {
        Path data = LearnableImages.write(tmp.resolve("bugs"), 8, 32, 3);
        String store = tmp.resolve("store").toUri().toString();
        ImageDataset images = ImageFolders.open(data, 0.25, 7);
        FeatureSpec spec = options(data, null).features();
        StringWriter said = new StringWriter();
        PrintWriter out = new PrintWriter(said, true);
        FeatureSplits local = new LocalFeatureStore(new Workspace(tmp.resolve("here")), out, null)
                .featurize(base, spec, "out_relu", Pooling.AVERAGE, images);

        FeatureSplits first;
        try (FeatureStore spark = Clusters.connect("--spark", CLUSTER, store,
                new Workspace(tmp.resolve("first")), out, null)) {
            first = spark.featurize(base, spec, "out_relu", Pooling.AVERAGE, images);
            assertTrue(said.toString().contains("featurized 16 images on Spark"), said.toString());
            long rows = SparkSession.active().read().parquet(store).count();
            assertEquals(12 * 2 + 4 * 2, rows, "train x [orig, flip] and validation x [orig, flip]");
        }
        // a workspace whose own cache holds every feature still fills a new store: the store is the record
        String other = tmp.resolve("other-store").toUri().toString();
        StringWriter filled = new StringWriter();
        try (FeatureStore spark = Clusters.connect("--spark", "local[2]", other,
                new Workspace(tmp.resolve("here")), new PrintWriter(filled, true), null)) {
            spark.featurize(base, spec, "out_relu", Pooling.AVERAGE, images);
            assertTrue(filled.toString().contains("featurized 16 images on Spark"), filled.toString());
            assertEquals(32, SparkSession.active().read().parquet(other).count());
        }

        StringWriter rerun = new StringWriter();
        try (FeatureStore spark = Clusters.connect("--spark", "local[2]", store,
                new Workspace(tmp.resolve("second")), new PrintWriter(rerun, true), null)) {
            FeatureSplits second = spark.featurize(base, spec, "out_relu", Pooling.AVERAGE, images);
            assertTrue(rerun.toString().contains("32 rows of this featurizer"), rerun.toString());
            assertFalse(rerun.toString().contains("featurized"), "nothing computed again: " + rerun);
            assertEquals(first.trainInMemory("the comparison").views(), second.trainInMemory("the comparison").views());
            assertEquals(first.validation().views(), second.validation().views());

            // training from the store alone reads no image: the folder is gone, the figures are the folder run's
            Workspace here = new Workspace(tmp.resolve("folder-run"));
            TrainingResult onFolder = new TrainingJob(here, out, null).run(base, options(data, tmp.resolve("f.zip")),
                    RunFolder.create(here.runsDir(), "train"));
            Files.move(data, tmp.resolve("moved-away"));
            Workspace fromStore = new Workspace(tmp.resolve("store-run"));
            TrainingOptions stored = options(data, tmp.resolve("s.zip"));
            stored = new TrainingOptions(DataSpec.inFeatureStore(store, 7), stored.features(), stored.recipe(),
                    stored.output());
            TrainingResult onStore = TrainingJob.featurizingWith(spark, fromStore, new PrintWriter(rerun, true))
                    .run(base, stored, RunFolder.create(fromStore.runsDir(), "train"));
            assertEquals(onFolder.dataset().train().size(), onStore.dataset().train().size());
            assertEquals(onFolder.outcome().after().accuracy(), onStore.outcome().after().accuracy());
            assertEquals(onFolder.outcome().after().loss(), onStore.outcome().after().loss(), 1e-6);
        }
        assertArrayEquals(local.trainInMemory("the comparison").features().ravel().toFloatVector(),
                first.trainInMemory("the comparison").features().ravel().toFloatVector(), 1e-5f);

    }

    @Test
    void aFolderOnAHadoopFilesystemIsSplitAsHereAndItsImagesAreReadByTheExecutors() throws Exception {
        Path data = LearnableImages.write(tmp.resolve("bugs"), 8, 32, 3);
        Files.writeString(data.resolve(Files.list(data).sorted().findFirst().orElseThrow().getFileName())
                .resolve("notes.jpg"), "not an image");
        Files.createDirectories(data.resolve(".thumbnails"));
        Files.writeString(data.resolve(".thumbnails/x.jpg"), "hidden");
        StringWriter said = new StringWriter();
        PrintWriter out = new PrintWriter(said, true);
        ImageDataset here = ImageFolders.open(data, 0.25, 7);
        FeatureSpec spec = options(data, null).features();
        FeatureSplits local = new LocalFeatureStore(new Workspace(tmp.resolve("here")), out, null)
                .featurize(base, spec, "out_relu", Pooling.AVERAGE, here);

        String uri = data.toUri().toString(); // file:///...: Hadoop's local filesystem, read through Hadoop's API
        try (FeatureStore spark = Clusters.connect("--spark", CLUSTER, null, new Workspace(tmp.resolve("cluster")),
                out, null)) {
            ImageDataset remote = spark.open(DataSpec.of(uri, 0.25, 7));
            assertEquals(here.classes(), remote.classes());
            assertEquals(names(here, here.train()), names(remote, remote.train()));
            assertEquals(names(here, here.validation()), names(remote, remote.validation()));
            assertEquals(List.of("notes.jpg: not an image (unrecognised content)"),
                    remote.skipped().stream().map(s -> s.file().getFileName() + ": " + s.reason()).toList());
            assertTrue(remote.train().get(0).file().toString().startsWith("file:/"), "named by URI");

            FeatureSplits features = spark.featurize(base, spec, "out_relu", Pooling.AVERAGE, remote);
            assertTrue(said.toString().contains("featurized 16 images on Spark (" + CLUSTER), said.toString());
            assertSameFeatures(local, features);

            var missing = assertThrows(DataException.class,
                    () -> spark.open(DataSpec.of(uri + "-gone", 0.25, 7)));
            assertTrue(missing.getMessage().contains("-gone does not exist"), missing.getMessage());
        }
        var local2 = assertThrows(WorkbenchException.class,
                () -> new LocalFeatureStore(new Workspace(tmp.resolve("here")), out, null)
                        .open(DataSpec.of(uri, 0.25, 7)));
        assertTrue(local2.getMessage().contains("add --spark MASTER"), local2.getMessage());
    }

    @Test
    void aStoreTooLargeToHoldStreamsTheTrainingRowsToTheHeadEpochByEpoch() throws Exception {
        Bugs bugs = bugs();
        StringWriter said = new StringWriter();
        PrintWriter out = new PrintWriter(said, true);
        SparkSession session = SparkSession.builder().config(SparkCluster.configuration("local[2]")).getOrCreate();
        Workspace here = new Workspace(tmp.resolve("here"));
        TrainingResult held = TrainingJob.featurizingWith(new SparkFeatureStore(session, new ParquetStore(session,
                bugs.store()), Long.MAX_VALUE, here, out, null), here, out).run(base,
                options(bugs.data(), tmp.resolve("h.zip")),
                RunFolder.create(here.runsDir(), "train"));
        FeatureSet inMemory = new LocalFeatureStore(here, out, null).featurize(base, bugs.spec(), "out_relu",
                Pooling.AVERAGE, bugs.images()).trainInMemory("the comparison");

        Workspace elsewhere = new Workspace(tmp.resolve("elsewhere"));
        try (FeatureStore streaming = new SparkFeatureStore(session, new ParquetStore(session, bugs.store()), 0,
                elsewhere,
                out, null)) {
            FeatureSplits splits = streaming.featurize(base, bugs.spec(), "out_relu", Pooling.AVERAGE,
                    bugs.images());
            assertTrue(said.toString().contains("streamed from " + bugs.store() + " each epoch"), said.toString());
            assertFalse(splits.train() instanceof FeatureSet, "the training rows are not held");
            assertEquals(12, splits.train().size());
            FeatureStatistics expected = inMemory.statistics();
            FeatureStatistics streamed = splits.train().statistics();
            assertArrayEquals(expected.mean().toFloatVector(), streamed.mean().toFloatVector(), 1e-5f);
            assertArrayEquals(expected.std().toFloatVector(), streamed.std().toFloatVector(), 1e-4f);

            DataSetIterator batches = splits.train().batches(5, 7);
            List<String> first = epoch(batches);
            batches.reset();
            List<String> second = epoch(batches);
            assertEquals(12, first.size(), "every image once an epoch");
            assertEquals(first.stream().sorted().map(r -> r.substring(0, 1)).toList(),
                    second.stream().sorted().map(r -> r.substring(0, 1)).toList(), "the same labels");
            assertNotEquals(first, second, "a new order or view each epoch");
            assertEquals(first, epoch(splits.train().batches(5, 7)), "the seed replays the epoch");

            TrainingResult run = TrainingJob.featurizingWith(streaming, elsewhere, out).run(base,
                    options(bugs.data(), tmp.resolve("s.zip")), RunFolder.create(elsewhere.runsDir(), "train"));
            assertTrue(run.outcome().after().accuracy() >= held.outcome().after().accuracy() - 0.1,
                    run.outcome().after().accuracy() + " streamed against " + held.outcome().after().accuracy());

            TrainingOptions plain = options(bugs.data(), tmp.resolve("e.zip"));
            TrainingOptions stopping = new TrainingOptions(plain.data(), plain.features(), plain.recipe(), null,
                    plain.output(), ClassWeighting.NONE, new EarlyStopping(2, 0.25));
            var refused = assertThrows(WorkbenchException.class, () -> TrainingJob.featurizingWith(streaming,
                    elsewhere, out).run(base, stopping, RunFolder.create(elsewhere.runsDir(), "train")));
            assertTrue(refused.getMessage().startsWith("--early-stopping cannot run: the training features are "
                    + "streamed"), refused.getMessage());
        }
    }

    /** One epoch's rows, each as its label and first feature. */
    private static List<String> epoch(DataSetIterator batches) {
        List<String> rows = new ArrayList<>();
        while (batches.hasNext()) {
            DataSet batch = batches.next();
            assertTrue(batch.numExamples() <= 5);
            for (int i = 0; i < batch.numExamples(); i++) {
                rows.add(batch.getLabels().getRow(i).argMax().getInt(0) + " "
                        + batch.getFeatures().getFloat(i, 0));
            }
        }
        return rows;
    }

    /** Every view of both splits equal to 1e-5, the labels exactly. */
    private static void assertSameFeatures(FeatureSplits expected, FeatureSplits actual) {
        FeatureSet train = expected.trainInMemory("the comparison");
        for (int view = 0; view < train.viewNames().size(); view++) {
            assertArrayEquals(train.views().get(view).ravel().toFloatVector(),
                    actual.trainInMemory("the comparison").views().get(view).ravel().toFloatVector(), 1e-5f,
                    "train view " + view);
        }
        assertArrayEquals(expected.validation().features().ravel().toFloatVector(),
                actual.validation().features().ravel().toFloatVector(), 1e-5f);
        assertArrayEquals(train.labels(), actual.trainInMemory("the comparison").labels());
    }

    /** Each image as its path below the dataset's root and its content hash. */
    private static List<String> names(ImageDataset data, List<LabeledImage> images) {
        return images.stream().map(image -> data.relative(image.file()) + " " + image.sha256()).toList();
    }

    @Test
    void withoutTheSparkBuildTheOptionSaysHowToGetIt() {
        var e = assertThrows(WorkbenchException.class,
                () -> Clusters.connect("--flink", "x", null, new Workspace(tmp), new PrintWriter(
                        new StringWriter()), null));
        assertTrue(e.getMessage().contains("mvn -Pspark"), e.getMessage());
    }
}
