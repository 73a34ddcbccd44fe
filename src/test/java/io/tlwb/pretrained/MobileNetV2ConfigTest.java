package io.tlwb.pretrained;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MobileNetV2ConfigTest {

    @Test
    void makeDivisibleRoundsLikeKeras() {
        assertEquals(16, MobileNetV2Config.makeDivisible(32 * 0.35, 8));
        assertEquals(32, MobileNetV2Config.makeDivisible(32 * 1.0, 8));
        assertEquals(48, MobileNetV2Config.makeDivisible(32 * 1.4, 8));
        assertEquals(1792, MobileNetV2Config.makeDivisible(1280 * 1.4, 8));
        assertEquals(112, MobileNetV2Config.makeDivisible(320 * 0.35, 8));
    }

    @Test
    void theGeneratedBaseEqualsTheKerasModelNsfwjsShipsUpToOutRelu() {
        JsonNode shipped = KerasConfigs.parse(KerasH5.read(SharedNsfwjs.file().file()).modelConfig(), "nsfwjs");
        Map<String, JsonNode> byName = new java.util.HashMap<>();
        KerasConfigs.layersOf(shipped).forEach(l -> byName.put(KerasConfigs.nameOf(l), l));
        List<JsonNode> generated = KerasConfigs.layersOf(new MobileNetV2Config(1.0, 224).modelConfig());
        assertEquals(155, generated.size()); // nsfwjs: 162 layers = these + a 7-layer top
        for (JsonNode g : generated) {
            JsonNode s = byName.get(KerasConfigs.nameOf(g));
            String name = KerasConfigs.nameOf(g);
            assertEquals(s.get("class_name"), g.get("class_name"), name);
            assertEquals(s.get("inbound_nodes"), g.get("inbound_nodes"), name);
            for (String key : List.of("filters", "kernel_size", "strides", "padding", "use_bias", "max_value",
                    "batch_input_shape", "epsilon", "depth_multiplier")) {
                JsonNode sv = s.get("config").get(key);
                JsonNode gv = g.get("config").get(key);
                if (sv != null && sv.isNumber()) {
                    assertEquals(sv.asDouble(), gv.asDouble(), name + "." + key);
                } else {
                    assertEquals(sv, gv, name + "." + key);
                }
            }
        }
    }

    @Test
    void widthAndSizeChangeChannelsAndPadding() {
        MobileNetV2Config c = new MobileNetV2Config(1.4, 224);
        assertEquals(1792, c.weightShapes().get("Conv_1").get("kernel")[3]);
        assertEquals(48, c.weightShapes().get("Conv1").get("kernel")[3]);
        assertEquals("1.4", c.alphaText());
        assertEquals("0.35", new MobileNetV2Config(0.35, 96).alphaText());
    }
}
