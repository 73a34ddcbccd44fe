package io.tlwb.pretrained;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class TfjsLayersModelTest {

    @Test
    void minifiedDataLiteralsAreReadWithoutRunningJavaScript() {
        JsonNode n = JsLiteral.parse("{a:!0,b:!1,c:.5,d:-.25,e:6,f:1e-3,g:\"x\\\"y\",h:[null,void 0],'i':{}}");
        assertTrue(n.get("a").booleanValue());
        assertEquals(false, n.get("b").booleanValue());
        assertEquals(0.5, n.get("c").doubleValue());
        assertEquals(-0.25, n.get("d").doubleValue());
        assertTrue(n.get("e").isInt(), "integral literals stay integral, so the ReLU fix-up can see them");
        assertEquals(0.001, n.get("f").doubleValue());
        assertEquals("x\"y", n.get("g").textValue());
        assertTrue(n.get("h").get(1).isNull());
        assertThrows(IllegalArgumentException.class, () -> JsLiteral.parse("{a:require('fs')}"));
    }

    @Test
    void uint8WeightsAreDequantizedAsQTimesScalePlusMin() {
        String model = "!function(){}({1:[function(e,a,n){a.exports={modelTopology:{keras_version:\"2.2.4\","
                + "model_config:{class_name:\"Model\",config:{layers:[]}}},weightsManifest:[{paths:[\"group1-shard1of1\"],"
                + "weights:[{name:\"d/kernel\",shape:[2,2],dtype:\"float32\",quantization:{min:-1,scale:.5,"
                + "dtype:\"uint8\"}}]}]}},{}]},{},[1])";
        String shard = "{1:[function(e,h,n){h.exports=\"" + Base64.getEncoder().encodeToString(new byte[]{0, 1, 2, (byte) 255})
                + "\"},{}]}";
        TfjsLayersModel m = TfjsLayersModel.fromUmdBundle(model, shard, "test");
        assertEquals(1, m.weights().size());
        assertArrayEquals(new float[]{-1f, -0.5f, 0f, 126.5f}, m.weights().get(0).data());
        assertArrayEquals(new long[]{2, 2}, m.weights().get(0).shape());
    }

    @Test
    void aShardShorterThanTheManifestIsATruncationError() {
        String model = "{modelTopology:{model_config:{class_name:\"Model\",config:{layers:[]}}},weightsManifest:"
                + "[{paths:[\"s\"],weights:[{name:\"d/kernel\",shape:[8],dtype:\"float32\"}]}]}";
        String shard = "h.exports=\"" + Base64.getEncoder().encodeToString(new byte[16]) + "\"";
        WeightsException e = assertThrows(WeightsException.class,
                () -> TfjsLayersModel.fromUmdBundle(model, shard, "bundle.js"));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void halfFloatsWiden() {
        assertEquals(1.0f, TfjsLayersModel.halfToFloat((short) 0x3c00));
        assertEquals(-2.0f, TfjsLayersModel.halfToFloat((short) 0xc000));
        assertEquals(0x1p-24f, TfjsLayersModel.halfToFloat((short) 0x0001));
    }
}
