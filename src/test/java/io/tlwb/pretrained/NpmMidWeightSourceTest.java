package io.tlwb.pretrained;

import static io.tlwb.pretrained.NpmWeightSourceTest.assertNoCacheEntry;
import static io.tlwb.pretrained.NpmWeightSourceTest.assertOneLine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code npm:nsfwjs@4.4.0#mobilenet_v2_mid}: the TF-Hub graph model converted to a Keras layer graph. */
class NpmMidWeightSourceTest {

    @Test
    void theGraphModelIsFetchedConvertedAndMatchesTheTfjsReference() {
        PretrainedModel model = SharedNsfwjs.midModel();
        assertEquals(WeightSources.MID_SPEC, model.spec());
        assertEquals(Preprocessing.MINUS_ONE_TO_ONE, model.preprocessing());
        assertEquals("out_relu", model.bottleneckLayer());
        assertEquals("block_13_expand_relu", model.defaultCutLayer(), "the TF-Hub model is cut there too");
        assertEquals(224, model.nativeInputSize());
        assertEquals(WeightCache.sha256(model.file()), model.sha256());
        assertEquals("npm-nsfwjs-4.4.0-mobilenet_v2_mid.h5", model.file().getFileName().toString());

        ReferenceCheck.Result r = ReferenceCheck.verify(model);
        System.out.println(r.render());
        assertTrue(r.passed(), r.render());
    }

    @Test
    void layersCarryKerasMobileNetV2NamesWithoutBatchNorm() {
        KerasH5.Contents c = KerasH5.read(SharedNsfwjs.midFile().file());
        List<String> names = c.layers().stream().map(LayerWeights::layer).toList();
        for (String layer : List.of("input_1", "Conv1_pad", "Conv1", "Conv1_relu", "expanded_conv_depthwise",
                "expanded_conv_depthwise_relu", "expanded_conv_project", "block_1_expand", "block_1_pad",
                "block_2_add", "block_13_expand_relu", "block_16_project", "Conv_1", "out_relu",
                "global_average_pooling2d", "dense")) {
            assertTrue(names.contains(layer), layer + " in " + names);
        }
        assertFalse(names.stream().anyMatch(n -> n.contains("BN") || n.contains("hub_input")), names.toString());
        // 52 biased convolutions, a 1792x5 dense top; MobileNetV2 1.4 has 4.36M convolution weights + biases
        assertEquals(52 * 2 + 2, c.layers().stream().mapToInt(l -> l.weights().size()).sum());
        assertEquals(List.of("block_5_depthwise/depthwise_kernel:0", "block_5_depthwise/bias:0"),
                c.byLayer().get("block_5_depthwise").weights().stream().map(Tensor::name).toList());
        assertTrue(c.modelConfig().contains("\"max_value\":6.0"), "ReLU max_value must be a float for DL4J");
        assertTrue(c.modelConfig().contains("\"activation\":\"softmax\""), "the 5-class softmax top is kept");
    }

    @Test
    void theSpecParsesToItsOwnCacheEntry() {
        NpmWeightSource s = NpmWeightSource.parse("npm:nsfwjs@4.4.0#mobilenet_v2_mid", "npm");
        assertEquals("npm-nsfwjs-4.4.0-mobilenet_v2_mid.h5", s.cacheName());
        assertEquals(WeightSources.MID_SPEC, s.spec());
        assertEquals("npm-nsfwjs-4.4.0.h5", NpmWeightSource.parse(WeightSources.NSFWJS_SPEC, "npm").cacheName());
        WeightsException e = assertThrows(WeightsException.class,
                () -> WeightSources.parse("npm:nsfwjs@4.4.0#inception_v3"));
        assertOneLine(e);
        assertTrue(e.getMessage().contains("#mobilenet_v2_mid"), e.getMessage());
    }

    @Test
    void aTamperedBundleIsAOneLineErrorAndNothingIsCached(@TempDir Path dir) {
        NpmWeightSource source = NpmWeightSource.parse(WeightSources.MID_SPEC, "npm");
        Map<String, byte[]> files = bundle(NpmWeightSource.Model.MOBILENET_V2_MID.files, "Placeholder", 16);
        WeightCache cache = new WeightCache(dir);
        WeightsException e = assertThrows(WeightsException.class,
                () -> source.convert(cache, "nsfwjs-4.4.0.tgz", files));
        assertOneLine(e);
        assertTrue(e.getMessage().contains("nsfwjs-4.4.0.tgz!package/dist/models/mobilenet_v2_mid/model.min.js has "
                + "sha256"), e.getMessage());
        assertTrue(e.getMessage().contains("a7a9e701491e2449b221dab7c424957f853e700602b5575da33cfd745616f964"),
                e.getMessage());
        assertTrue(cache.list().isEmpty());
    }

    @Test
    void aTruncatedShardIsAOneLineError(@TempDir Path dir) {
        // 9.9.9 has no pins, so the bundle gets as far as decoding: the manifest needs 16 bytes, the shards hold 12
        NpmWeightSource source = NpmWeightSource.parse("npm:nsfwjs@9.9.9#mobilenet_v2_mid", "npm");
        Map<String, byte[]> files = bundle(NpmWeightSource.Model.MOBILENET_V2_MID.files, "Placeholder", 12);
        WeightsException e = assertThrows(WeightsException.class,
                () -> source.convert(new WeightCache(dir), "nsfwjs-9.9.9.tgz", files));
        assertOneLine(e);
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void anOpTheConverterDoesNotKnowIsAOneLineErrorNamingTheNode(@TempDir Path dir) {
        NpmWeightSource source = NpmWeightSource.parse("npm:nsfwjs@9.9.9#mobilenet_v2_mid", "npm");
        Map<String, byte[]> files = bundle(NpmWeightSource.Model.MOBILENET_V2_MID.files, "MaxPool", 16);
        WeightCache cache = new WeightCache(dir);
        WeightsException e = assertThrows(WeightsException.class,
                () -> source.convert(cache, "nsfwjs-9.9.9.tgz", files));
        assertOneLine(e);
        assertTrue(e.getMessage().contains("node 'input' has op MaxPool"), e.getMessage());
        assertTrue(cache.list().isEmpty());
    }

    /** A one-node graph bundle in nsfwjs' UMD layout, its 4-float weight split over two shards of {@code bytes}. */
    private static Map<String, byte[]> bundle(List<String> names, String op, int bytes) {
        String model = "!function(){}({1:[function(t,e,a){e.exports={format:\"graph-model\",modelTopology:{node:[{name:"
                + "\"input\",op:\"" + op + "\",attr:{shape:{shape:{dim:[{size:\"-1\"},{size:\"8\"},{size:\"8\"},"
                + "{size:\"3\"}]}}}}]},weightsManifest:[{paths:[\"group1-shard1of2\",\"group1-shard2of2\"],weights:[{name:"
                + "\"w\",shape:[4],dtype:\"float32\"}]}]}},{}]},{},[1])";
        Map<String, byte[]> files = new HashMap<>();
        files.put(names.get(0), model.getBytes(StandardCharsets.UTF_8));
        files.put(names.get(1), shard(new byte[bytes - 4]));
        files.put(names.get(2), shard(new byte[4]));
        return files;
    }

    private static byte[] shard(byte[] bytes) {
        return ("{1:[function(e,h,n){h.exports=\"" + Base64.getEncoder().encodeToString(bytes) + "\"},{}]}")
                .getBytes(StandardCharsets.UTF_8);
    }
}
