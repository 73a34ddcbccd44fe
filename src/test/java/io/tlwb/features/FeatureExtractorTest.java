package io.tlwb.features;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tlwb.data.Augmentation;
import io.tlwb.data.DataException;
import io.tlwb.data.ImageDataset;
import io.tlwb.data.ImageFolders;
import io.tlwb.data.ImagePipeline;
import io.tlwb.data.LabeledImage;
import io.tlwb.pretrained.PretrainedModel;
import io.tlwb.testing.LearnableImages;
import io.tlwb.testing.TinyBase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

class FeatureExtractorTest {

    @TempDir
    Path tmp;

    private final PretrainedModel base = TinyBase.create(16, 3);

    private FeatureExtractor extractor(ByteArrayOutputStream log) {
        Featurizer featurizer = new GraphFeaturizer(base, "out_relu", 32);
        FeatureCache cache = new FeatureCache(tmp.resolve("cache"), featurizer.cacheKey());
        return new FeatureExtractor(featurizer, new ImagePipeline(32, base.preprocessing()), cache, 4,
                new PrintStream(log, true, StandardCharsets.UTF_8));
    }

    private ImageDataset dataset() {
        return ImageFolders.open(LearnableImages.write(tmp.resolve("data"), 5, 32, 1), 0.2, 1);
    }

    @Test
    void warmCacheGivesTheSameFeaturesWithoutRecomputing() {
        ImageDataset data = dataset();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        FeatureSet cold = extractor(log).extract("train", data.train(), 2, Augmentation.FLIP);
        ByteArrayOutputStream warmLog = new ByteArrayOutputStream();
        FeatureSet warm = extractor(warmLog).extract("train", data.train(), 2, Augmentation.FLIP);

        assertEquals(2, cold.views().size());
        for (int v = 0; v < 2; v++) {
            assertEquals(cold.views().get(v), warm.views().get(v));
        }
        assertNotEquals(cold.views().get(0), cold.views().get(1), "the mirrored view differs");
        assertTrue(warmLog.toString(StandardCharsets.UTF_8).contains(2 * data.train().size() + " from the feature cache, 0 computed"),
                warmLog.toString(StandardCharsets.UTF_8));
    }

    /** With part of a batch cached, only the missing views are computed and stored, and they equal a cold run. */
    @Test
    void aCompanionCachesItsFeaturesFromTheSameDecodingsSoItsOwnPassComputesNothing() {
        ImageDataset data = dataset();
        Featurizer maps = new GraphFeaturizer(base, "Conv1_relu", 32, Pooling.NONE);
        FeatureCache mapsCache = new FeatureCache(tmp.resolve("cache"), maps.cacheKey());
        ImagePipeline pipeline = new ImagePipeline(32, base.preprocessing());
        extractor(new ByteArrayOutputStream()).withCompanion(new FeatureExtractor.Companion(maps, mapsCache))
                .extract("train", data.train(), 2, Augmentation.FLIP);

        ByteArrayOutputStream log = new ByteArrayOutputStream();
        FeatureSet cached = new FeatureExtractor(maps, pipeline, mapsCache, 4,
                new PrintStream(log, true, StandardCharsets.UTF_8)).extract("train", data.train(), 2, Augmentation.FLIP);
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("0 computed"), log.toString(StandardCharsets.UTF_8));
        FeatureSet own = new FeatureExtractor(maps, pipeline, new FeatureCache(tmp.resolve("own"), maps.cacheKey()), 4,
                null).extract("train", data.train(), 2, Augmentation.FLIP);
        assertEquals(own.views(), cached.views());
    }

    @Test
    void aMissingMirrorIsComputedAloneAndEqualsAColdRun() {
        ImageDataset data = dataset();
        FeatureSet cold = extractor(new ByteArrayOutputStream()).extract("train", data.train(), 2, Augmentation.FLIP);
        Featurizer featurizer = new GraphFeaturizer(base, "out_relu", 32);
        FeatureCache cache = new FeatureCache(tmp.resolve("cache"), featurizer.cacheKey());
        for (LabeledImage image : data.train().subList(0, 3)) {
            assertTrue(cache.fileFor(image.sha256(), "flip").toFile().delete());
        }

        ByteArrayOutputStream log = new ByteArrayOutputStream();
        FeatureSet partial = extractor(log).extract("train", data.train(), 2, Augmentation.FLIP);

        assertEquals(cold.views(), partial.views());
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("3 computed"), log.toString(StandardCharsets.UTF_8));
    }

    /** Through the real image pipeline (batches as DataVec hands them over, both views), engine and graph agree. */
    @Test
    void theEngineAndTheGraphGiveTheSameFeaturesThroughThePipeline() {
        ImageDataset data = dataset();
        TinyBase.randomizeBatchNorms(base.graph(), 5);
        ImagePipeline pipeline = new ImagePipeline(32, base.preprocessing());
        FeatureSet[] sets = new FeatureSet[2];
        Featurizer[] featurizers = {new GraphFeaturizer(base, "out_relu", 32), FastFeaturizer.compile(base, "out_relu", 32)};
        for (int k = 0; k < 2; k++) {
            FeatureCache cache = new FeatureCache(tmp.resolve("cache" + k), featurizers[k].cacheKey());
            sets[k] = new FeatureExtractor(featurizers[k], pipeline, cache, 4, null)
                    .extract("train", data.train(), 2, Augmentation.FLIP);
        }
        for (int v = 0; v < 2; v++) {
            INDArray graph = sets[0].views().get(v);
            double diff = org.nd4j.linalg.ops.transforms.Transforms.abs(graph.sub(sets[1].views().get(v)))
                    .maxNumber().doubleValue();
            assertTrue(diff <= 1e-4 * graph.amaxNumber().doubleValue(), "view " + v + ": max abs diff " + diff);
        }
    }

    @Test
    void featuresMatchTheFeaturizerRunDirectly() {
        ImageDataset data = dataset();
        FeatureSet set = extractor(new ByteArrayOutputStream()).extract("val", data.validation(), 2, Augmentation.NONE);
        ImagePipeline pipeline = new ImagePipeline(32, base.preprocessing());
        LabeledImage first = data.validation().get(0);
        INDArray direct = new GraphFeaturizer(base, "out_relu", 32).featurize(pipeline.load(first.file()));
        assertArrayEquals(direct.toFloatVector(), set.features().getRow(0).toFloatVector(), 1e-6f);
        assertEquals(first.label(), set.labels()[0]);
    }

    @Test
    void damagedCacheEntryIsRecomputedNotTrusted() throws Exception {
        ImageDataset data = dataset();
        FeatureSet clean = extractor(new ByteArrayOutputStream()).extract("val", data.validation(), 2, Augmentation.NONE);
        Featurizer featurizer = new GraphFeaturizer(base, "out_relu", 32);
        FeatureCache cache = new FeatureCache(tmp.resolve("cache"), featurizer.cacheKey());
        Path entry = cache.fileFor(data.validation().get(0).sha256(), "orig");
        byte[] bytes = Files.readAllBytes(entry);
        bytes[20] ^= 0x55;
        Files.write(entry, bytes);
        assertTrue(cache.get(data.validation().get(0).sha256(), "orig").isEmpty(), "a damaged entry reads as a miss");

        ByteArrayOutputStream log = new ByteArrayOutputStream();
        FeatureSet again = extractor(log).extract("val", data.validation(), 2, Augmentation.NONE);
        assertEquals(clean.features(), again.features());
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("1 computed"), log.toString(StandardCharsets.UTF_8));
    }

    @Test
    void differentWeightsOrCutLayerUseADifferentCacheFolder() {
        String key = new GraphFeaturizer(base, "out_relu", 32).cacheKey();
        assertNotEquals(key, new GraphFeaturizer(base, "Conv1_relu", 32).cacheKey());
        assertNotEquals(key, new GraphFeaturizer(base, "out_relu", 48).cacheKey());
        assertNotEquals(new FeatureCache(tmp, key).dir(), new FeatureCache(tmp, key + "x").dir());
        assertEquals(List.of("orig", "flip", "fliprot1", "fliprot2"),
                View.forAugmentation(Augmentation.FLIP_ROTATE).stream().map(View::name).toList());
    }

    /** DL4J's own prefetching left the reader waiting forever when a batch failed; this fails it with the file. */
    @Test
    void anImageDeletedSinceTheScanFailsWithItsNameInsteadOfHanging() throws Exception {
        ImageDataset data = dataset();
        Path gone = data.train().get(2).file();
        Files.delete(gone);
        var e = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> assertThrows(DataException.class,
                () -> extractor(new ByteArrayOutputStream()).extract("train", data.train(), 2, Augmentation.FLIP)));
        assertTrue(e.getMessage().contains(gone.getFileName().toString()), e.getMessage());
    }
}
