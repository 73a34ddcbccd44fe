package io.tlwb.pretrained;

import static io.tlwb.pretrained.NpmWeightSourceTest.assertNoCacheEntry;
import static io.tlwb.pretrained.NpmWeightSourceTest.assertOneLine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.tlwb.Workspace;
import io.tlwb.engine.FrozenBase;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The keras: source against a loopback HTTP server; no test touches the internet. */
class KerasApplicationsWeightSourceTest {
    private static final MobileNetV2Config ARCH = new MobileNetV2Config(1.0, 224);
    private static HttpServer server;
    private static byte[] weightsOnly;
    private static final AtomicInteger requests = new AtomicInteger();

    @BeforeAll
    static void serveNsfwjsWeightsInTheOfficialLayout(@TempDir Path dir) throws IOException {
        // Repackage the nsfwjs base (everything up to out_relu) as keras-applications lays out *_no_top.h5.
        Map<String, LayerWeights> all = KerasH5.read(SharedNsfwjs.file().file()).byLayer();
        List<LayerWeights> base = ARCH.layerNames().stream().map(all::get).toList();
        Path file = dir.resolve("no_top.h5");
        KerasH5.writeWeightsOnly(file, "2.2.4", "tensorflow", base);
        weightsOnly = Files.readAllBytes(file);

        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/mobilenet_v2/", exchange -> {
            requests.incrementAndGet();
            String p = exchange.getRequestURI().getPath();
            byte[] body = p.endsWith("_1.0_224_no_top.h5") ? weightsOnly
                    : p.endsWith("_0.5_224_no_top.h5") ? java.util.Arrays.copyOf(weightsOnly, weightsOnly.length / 2)
                    : null;
            exchange.sendResponseHeaders(body == null ? 404 : 200, body == null ? -1 : body.length);
            if (body != null) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
            exchange.close();
        });
        server.start();
    }

    @AfterAll
    static void stop() {
        server.stop(0);
    }

    private static String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/mobilenet_v2/";
    }

    private static KerasApplicationsWeightSource source(MobileNetV2Config arch, Map<String, String> known) {
        return new KerasApplicationsWeightSource(arch, baseUrl(), known, Duration.ofSeconds(30));
    }

    @Test
    void theGeneratedArchitectureWithOfficialLayoutWeightsEqualsTheDirectImport(@TempDir Path dir) {
        Workspace ws = new Workspace(dir);
        PretrainedModel viaKeras = source(ARCH, Map.of()).load(ws);
        assertEquals("keras:mobilenet_v2_1.0_224", viaKeras.spec());
        assertEquals(Preprocessing.MINUS_ONE_TO_ONE, viaKeras.preprocessing());
        assertEquals(224, viaKeras.nativeInputSize());
        assertEquals("out_relu", viaKeras.defaultCutLayer(), "ImageNet weights are cut at their bottleneck");
        assertTrue(viaKeras.file().getFileName().toString()
                .equals("keras-mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5"));

        INDArray x = ReferenceCheck.input(0, 224, Preprocessing.ZERO_TO_ONE);
        float[] keras = viaKeras.graph().feedForward(x, false).get("out_relu").data().asFloat();
        float[] direct = SharedNsfwjs.model().graph().feedForward(x, false).get("out_relu").data().asFloat();
        double diff = ReferenceCheck.maxAbsDiff(keras, direct);
        System.out.println("keras: vs direct import, out_relu max |diff| = " + diff);
        assertEquals(0.0, diff, 1e-6);

        // the engine compiles the official layout too, exact to the graph on maps and pooled features
        INDArray graphMaps = viaKeras.graph().feedForward(x, false).get("out_relu");
        FrozenBase engine = FrozenBase.compile(viaKeras.graph(), "out_relu");
        double scale = graphMaps.amaxNumber().doubleValue();
        double mapsDiff = ReferenceCheck.maxAbsDiff(graphMaps.dup('c').data().asFloat(),
                engine.maps(x).data().asFloat());
        double pooledDiff = ReferenceCheck.maxAbsDiff(graphMaps.mean(1, 2).data().asFloat(),
                engine.pooled(x).data().asFloat());
        assertTrue(mapsDiff <= 1e-4 * scale && pooledDiff <= 1e-4 * scale,
                "engine vs graph: maps " + mapsDiff + ", pooled " + pooledDiff + " of max " + scale);
    }

    @Test
    void autoPicksTheImageNetWeightsOnceCachedAndOtherwiseTheOfflineOnesWithTheFetchCommand(@TempDir Path dir) {
        Workspace ws = new Workspace(dir);
        WeightSources.Choice offline = WeightSources.choose(WeightSources.AUTO, ws);
        assertEquals(WeightSources.DEFAULT_SPEC, offline.spec());
        assertTrue(offline.note().contains("weights fetch keras:mobilenet_v2_1.0_224"), offline.note());

        source(ARCH, Map.of()).fetch(ws); // what `weights fetch keras:mobilenet_v2_1.0_224` stores
        WeightSources.Choice imagenet = WeightSources.choose(WeightSources.AUTO, ws);
        assertEquals("keras:mobilenet_v2_1.0_224", imagenet.spec());
        assertTrue(imagenet.note().contains("ImageNet"), imagenet.note());
        assertEquals(new WeightSources.Choice(WeightSources.NSFWJS_SPEC, null),
                WeightSources.choose(WeightSources.NSFWJS_SPEC, ws), "an explicit spec is taken as it is");
    }

    @Test
    void aSecondLoadComesFromTheCache(@TempDir Path dir) {
        Workspace ws = new Workspace(dir);
        WeightsFile first = source(ARCH, Map.of()).fetch(ws);
        int before = requests.get();
        WeightsFile second = source(ARCH, Map.of()).fetch(ws);
        assertEquals(first, second);
        assertEquals(before, requests.get(), "no second download");
    }

    @Test
    void aWrongSha256IsAOneLineErrorAndLeavesNoCacheEntry(@TempDir Path dir) {
        Workspace ws = new Workspace(dir);
        KerasApplicationsWeightSource source = source(ARCH, Map.of(
                "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5", "00".repeat(32)));
        WeightsException e = assertThrows(WeightsException.class, () -> source.fetch(ws));
        assertOneLine(e);
        assertTrue(e.getMessage().contains(source.url()), e.getMessage());
        assertTrue(e.getMessage().contains("00".repeat(32)), e.getMessage());
        assertNoCacheEntry(ws);
    }

    @Test
    void aNetworkFailureIsAOneLineErrorAndLeavesNoCacheEntry(@TempDir Path dir) throws IOException {
        HttpServer closed = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        int port = closed.getAddress().getPort();
        closed.stop(0); // nothing listens on this port any more
        Workspace ws = new Workspace(dir);
        KerasApplicationsWeightSource source = new KerasApplicationsWeightSource(ARCH,
                "http://127.0.0.1:" + port + "/", Map.of(), Duration.ofSeconds(10));
        WeightsException e = assertThrows(WeightsException.class, () -> source.fetch(ws));
        assertOneLine(e);
        assertTrue(e.getMessage().startsWith("cannot download http://127.0.0.1:" + port + "/mobilenet_v2_weights"),
                e.getMessage());
        assertTrue(e.getMessage().contains(WeightSources.DEFAULT_SPEC), e.getMessage());
        assertNoCacheEntry(ws);
    }

    @Test
    void aMissingFileOnTheServerNamesTheHttpStatus(@TempDir Path dir) {
        Workspace ws = new Workspace(dir);
        WeightsException e = assertThrows(WeightsException.class,
                () -> source(new MobileNetV2Config(0.75, 224), Map.of()).fetch(ws));
        assertOneLine(e);
        assertTrue(e.getMessage().contains("HTTP 404"), e.getMessage());
        assertNoCacheEntry(ws);
    }

    @Test
    void aTruncatedDownloadIsRejectedAndLeavesNoCacheEntry(@TempDir Path dir) {
        Workspace ws = new Workspace(dir);
        WeightsException e = assertThrows(WeightsException.class,
                () -> source(new MobileNetV2Config(0.5, 224), Map.of()).fetch(ws));
        assertOneLine(e);
        assertTrue(e.getMessage().contains("_0.5_224_no_top.h5"), e.getMessage());
        assertNoCacheEntry(ws);
    }

    @Test
    void specsOutsideThePublishedAlphasAndSizesListTheAllowedValues() {
        WeightsException alpha = assertThrows(WeightsException.class,
                () -> WeightSources.parse("keras:mobilenet_v2_0.9_224"));
        assertTrue(alpha.getMessage().contains("[0.35, 0.5, 0.75, 1.0, 1.3, 1.4]"), alpha.getMessage());
        WeightsException form = assertThrows(WeightsException.class, () -> WeightSources.parse("keras:resnet50"));
        assertTrue(form.getMessage().contains("keras:mobilenet_v2_<alpha>_<size>"), form.getMessage());
    }
}
