package io.tlwb.pretrained;

import static io.tlwb.pretrained.NpmWeightSourceTest.assertNoCacheEntry;
import static io.tlwb.pretrained.NpmWeightSourceTest.assertOneLine;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tlwb.Workspace;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Every local file form, on a tiny MobileNetV2 (alpha 0.35, 96x96) with seeded random weights. */
class PathWeightSourceTest {
    private static final MobileNetV2Config ARCH = TinyModels.TINY;
    private static final List<LayerWeights> WEIGHTS = TinyModels.randomWeights(ARCH, 42);
    private static final INDArray X = ReferenceCheck.input(0, 96, Preprocessing.MINUS_ONE_TO_ONE);

    @TempDir
    static Path fixtures;
    private static Path weightsOnly;
    private static float[] expected;

    @BeforeAll
    static void writeTheOfficialWeightsOnlyLayout() {
        weightsOnly = fixtures.resolve("mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_96_no_top.h5");
        KerasH5.writeWeightsOnly(weightsOnly, "2.2.4", "tensorflow", WEIGHTS);
        PretrainedModel m = WeightSources.parse(weightsOnly.toString()).load(new Workspace(fixtures.resolve("ws")));
        expected = outRelu(m);
    }

    private static float[] outRelu(PretrainedModel m) {
        return m.graph().feedForward(X, false).get(m.bottleneckLayer()).data().asFloat();
    }

    private static void assertSameOutRelu(PretrainedModel m) {
        assertEquals(0.0, ReferenceCheck.maxAbsDiff(expected, outRelu(m)), 1e-6);
    }

    @Test
    void aWeightsOnlyFileGetsAlphaFromItsShapesAndSizeFromItsKerasName(@TempDir Path dir) {
        PretrainedModel m = WeightSources.parse(weightsOnly.toString()).load(new Workspace(dir));
        assertEquals(96, m.nativeInputSize());
        assertEquals(weightsOnly, m.file());
        assertEquals(Preprocessing.MINUS_ONE_TO_ONE, m.preprocessing());
        assertEquals(3 * 3 * 1280, expected.length);
        assertNoCacheEntry(new Workspace(dir));
    }

    @Test
    void aWeightsOnlyFileTakesAlphaAndSizeFromSpecOptions(@TempDir Path dir) throws IOException {
        Path renamed = Files.copy(weightsOnly, dir.resolve("base.h5"));
        PretrainedModel m = WeightSources.parse(renamed + "#alpha=0.35,size=96,preprocessing=zero-to-one")
                .load(new Workspace(dir));
        assertEquals(96, m.nativeInputSize());
        assertEquals(Preprocessing.ZERO_TO_ONE, m.preprocessing());
        assertSameOutRelu(m);
    }

    @Test
    void aFullModelFileIsImportedInPlace(@TempDir Path dir) {
        Path full = dir.resolve("full.h5");
        KerasH5.writeModel(full, "2.2.4", "tensorflow", ARCH.modelConfig().toString(), WEIGHTS);
        Workspace ws = new Workspace(dir.resolve("ws"));
        PretrainedModel m = WeightSources.parse(full.toString()).load(ws);
        assertEquals(full, m.file());
        assertEquals(WeightCache.sha256(full), m.sha256());
        assertEquals(96, m.nativeInputSize());
        assertSameOutRelu(m);
        assertNoCacheEntry(ws);
    }

    @Test
    void anIntegerReluMaxValueIsRewrittenIntoACachedCopy(@TempDir Path dir) {
        ObjectNode config = ARCH.modelConfig();
        KerasConfigs.layersOf(config).stream().filter(l -> l.get("class_name").asText().equals("ReLU"))
                .forEach(l -> ((ObjectNode) l.get("config")).put("max_value", 6));
        Path full = dir.resolve("int-relu.h5");
        KerasH5.writeModel(full, "2.2.4", "tensorflow", config.toString(), WEIGHTS);
        Workspace ws = new Workspace(dir.resolve("ws"));
        PretrainedModel m = WeightSources.parse(full.toString()).load(ws);
        assertEquals(ws.weightsCacheDir(), m.file().getParent());
        assertSameOutRelu(m);
    }

    @Test
    void aMobileNetNestedInASequentialModelIsFlattened(@TempDir Path dir) {
        TinyModels.KerasConfigsFixture nested = TinyModels.nestedSequential(ARCH, WEIGHTS, 7);
        Path file = dir.resolve("tutorial.h5");
        KerasH5.writeModel(file, "2.2.4", "tensorflow", nested.modelConfig().toString(), nested.weights());
        PretrainedModel m = WeightSources.parse(file.toString()).load(new Workspace(dir.resolve("ws")));
        assertNotNull(m.graph().getVertex("Conv1"));
        assertNotNull(m.graph().getVertex("dense"));
        assertSameOutRelu(m);
        INDArray out = m.graph().outputSingle(X);
        assertArrayEquals(new long[]{1, 2}, out.shape());
    }

    @Test
    void aMobileNetNestedInAFunctionalModelIsFlattened(@TempDir Path dir) {
        TinyModels.KerasConfigsFixture nested = TinyModels.nestedSequential(ARCH, WEIGHTS, 7);
        ObjectNode functional = KerasConfigs.toFunctional(nested.modelConfig(), "test");
        functional.put("class_name", "Functional"); // as TF 2.x saves it
        Path file = dir.resolve("functional.h5");
        KerasH5.writeModel(file, "2.4.0", "tensorflow", functional.toString(), nested.weights());
        PretrainedModel m = WeightSources.parse(file.toString()).load(new Workspace(dir.resolve("ws")));
        assertSameOutRelu(m);
    }

    @Test
    void aTfjsLayersModelFolderIsConverted(@TempDir Path dir) throws IOException {
        Path folder = Files.createDirectories(dir.resolve("tfjs"));
        ObjectNode modelJson = KerasConfigs.JSON.createObjectNode();
        ObjectNode topology = modelJson.putObject("modelTopology");
        topology.put("keras_version", "2.2.4");
        topology.put("backend", "tensorflow");
        ObjectNode config = ARCH.modelConfig();
        KerasConfigs.layersOf(config).stream().filter(l -> l.get("class_name").asText().equals("ReLU"))
                .forEach(l -> ((ObjectNode) l.get("config")).put("max_value", 6)); // as TF.js writes it
        topology.set("model_config", config);
        modelJson.put("format", "layers-model");
        ArrayNode specs = modelJson.putArray("weightsManifest").addObject()
                .put("x", 0).putArray("weights");
        ((ObjectNode) modelJson.get("weightsManifest").get(0)).remove("x");
        ((ObjectNode) modelJson.get("weightsManifest").get(0)).putArray("paths").add("group1-shard1of1.bin");
        int floats = WEIGHTS.stream().mapToInt(l -> (int) l.parameterCount()).sum();
        ByteBuffer bin = ByteBuffer.allocate(floats * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (LayerWeights l : WEIGHTS) {
            for (Tensor t : l.weights()) {
                ObjectNode spec = specs.addObject();
                spec.put("name", t.name().replace(":0", ""));
                ArrayNode shape = spec.putArray("shape");
                Arrays.stream(t.shape()).forEach(shape::add);
                spec.put("dtype", "float32");
                for (float v : t.data()) {
                    bin.putFloat(v);
                }
            }
        }
        Files.write(folder.resolve("group1-shard1of1.bin"), bin.array());
        Files.writeString(folder.resolve("model.json"), modelJson.toString());

        Workspace ws = new Workspace(dir.resolve("ws"));
        PretrainedModel m = WeightSources.parse(folder.toString()).load(ws);
        assertEquals(ws.weightsCacheDir(), m.file().getParent());
        assertEquals(96, m.nativeInputSize());
        assertSameOutRelu(m);
        assertEquals(m.file(), WeightSources.parse(folder.resolve("model.json").toString()).fetch(ws).file(),
                "the converted file is cached by source content");
    }

    @Test
    void aTruncatedH5IsAOneLineErrorNamingTheFile(@TempDir Path dir) throws IOException {
        byte[] bytes = Files.readAllBytes(weightsOnly);
        Path truncated = dir.resolve("truncated.h5");
        Files.write(truncated, Arrays.copyOf(bytes, bytes.length / 2));
        WeightsException e = assertThrows(WeightsException.class,
                () -> WeightSources.parse(truncated.toString()).load(new Workspace(dir)));
        assertOneLine(e);
        assertTrue(e.getMessage().startsWith(truncated.toString()), e.getMessage());
    }

    @Test
    void aFileThatIsNotHdf5IsAOneLineErrorNamingTheFile(@TempDir Path dir) throws IOException {
        Path garbage = dir.resolve("model.h5");
        byte[] noise = new byte[4096];
        new Random(1).nextBytes(noise);
        Files.write(garbage, noise);
        WeightsException e = assertThrows(WeightsException.class,
                () -> WeightSources.parse(garbage.toString()).load(new Workspace(dir)));
        assertOneLine(e);
        assertTrue(e.getMessage().contains(garbage.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("truncated or corrupt"), e.getMessage());
    }

    @Test
    void aMissingPathListsTheAcceptedSpecs(@TempDir Path dir) {
        WeightsException e = assertThrows(WeightsException.class,
                () -> WeightSources.parse(dir.resolve("nope.h5").toString()));
        assertOneLine(e);
        assertTrue(e.getMessage().contains(WeightSources.DEFAULT_SPEC), e.getMessage());
    }

    @Test
    void theCutLayerCanBeNamedAndMustExist(@TempDir Path dir) {
        Path full = dir.resolve("full.h5");
        KerasH5.writeModel(full, "2.2.4", "tensorflow", ARCH.modelConfig().toString(), WEIGHTS);
        Workspace ws = new Workspace(dir.resolve("ws"));
        assertEquals("Conv_1_bn", WeightSources.parse(full + "#cut=Conv_1_bn").load(ws).bottleneckLayer());
        WeightsException e = assertThrows(WeightsException.class,
                () -> WeightSources.parse(full + "#cut=nope").load(ws));
        assertTrue(e.getMessage().contains("#cut=<layer>"), e.getMessage());
        WeightsException bad = assertThrows(WeightsException.class,
                () -> WeightSources.parse(full + "#colour=blue"));
        assertTrue(bad.getMessage().contains("alpha"), bad.getMessage());
    }
}
