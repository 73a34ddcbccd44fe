package io.tlwb.pretrained;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tlwb.Workspace;
import io.tlwb.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code weights list|fetch|info|verify} through picocli, output captured. */
class WeightsCommandTest {

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private static String root() {
        SharedNsfwjs.file();
        return SharedNsfwjs.workspace().root().toString();
    }

    @Test
    void listShowsTheKnownSpecsAndWhatIsCached() {
        Run r = run("weights", "list", "--workspace", root());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().lines().anyMatch(l -> l.strip().startsWith(WeightSources.NSFWJS_SPEC + " ")
                && l.endsWith(" [cached]") && !l.contains("default")), r.out());
        assertTrue(r.out().contains("keras:mobilenet_v2_1.0_224"), r.out());
        assertTrue(r.out().contains("npm-nsfwjs-4.4.0.h5"), r.out());
        assertTrue(r.out().contains(SharedNsfwjs.file().sha256()), r.out());
    }

    @Test
    void fetchOfACachedSpecPrintsTheFileAndItsSha256() {
        SharedNsfwjs.file(); // cached first (or the test skipped when npm cannot have the package)
        Run r = run("weights", "fetch", "npm:nsfwjs@4.4.0", "-w", root());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains(SharedNsfwjs.file().file().toString()), r.out());
        assertTrue(r.out().contains("sha256 " + SharedNsfwjs.file().sha256()), r.out());
    }

    @Test
    void infoDescribesLayersParametersShapesCutLayerAndPreprocessing() {
        Run r = run("weights", "info", "npm:nsfwjs@4.4.0", "-w", root());
        assertEquals(0, r.code(), r.err());
        System.out.println(r.out());
        assertTrue(r.out().contains("2,619,461"), r.out());
        assertTrue(r.out().contains("[224, 224, 3] NHWC"), r.out());
        assertTrue(r.out().contains("out_relu -> [7, 7, 1280]"), r.out());
        assertTrue(r.out().contains("zero-to-one"), r.out());
        assertTrue(r.out().contains(SharedNsfwjs.file().sha256()), r.out());
    }

    @Test
    void verifyPassesForTheNsfwjsImport() {
        Run r = run("weights", "verify", "npm:nsfwjs@4.4.0", "-w", root());
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("PASSED"), r.out());
    }

    @Test
    void listInfoAndVerifyHandleTheMidGraphModel() {
        String root = SharedNsfwjs.workspace().root().toString();
        SharedNsfwjs.midFile();
        Run list = run("weights", "list", "--workspace", root);
        assertEquals(0, list.code(), list.err());
        assertTrue(list.out().lines().anyMatch(l -> l.strip().startsWith(WeightSources.MID_SPEC + " ")
                && l.endsWith(" default [cached]")), list.out());
        assertTrue(list.out().contains("npm-nsfwjs-4.4.0-mobilenet_v2_mid.h5"), list.out());

        Run info = run("weights", "info", WeightSources.MID_SPEC, "-w", root);
        assertEquals(0, info.code(), info.err());
        assertTrue(info.out().contains("out_relu -> [7, 7, 1792]"), info.out());
        assertTrue(info.out().contains("dense -> [5]"), info.out());
        assertTrue(info.out().contains("minus-one-to-one"), info.out());

        Run verify = run("weights", "verify", WeightSources.MID_SPEC, "-w", root);
        assertEquals(0, verify.code(), verify.out() + verify.err());
        assertTrue(verify.out().contains("PASSED"), verify.out());
    }

    @Test
    void verifyExitsWithCheckFailedWhenTheWeightsDriftFromTheReference(@TempDir Path dir) {
        // A cache entry with a valid sidecar but slightly different Conv_1 weights.
        KerasH5.Contents c = KerasH5.read(SharedNsfwjs.file().file());
        List<LayerWeights> drifted = new ArrayList<>();
        for (LayerWeights l : c.layers()) {
            if (!l.layer().equals("Conv_1")) {
                drifted.add(l);
                continue;
            }
            Tensor k = l.weights().get(0);
            float[] v = k.data().clone();
            for (int i = 0; i < v.length; i++) {
                v[i] += 0.01f;
            }
            drifted.add(new LayerWeights("Conv_1", List.of(new Tensor(k.name(), k.shape(), v))));
        }
        Workspace ws = new Workspace(dir);
        new WeightCache(ws.weightsCacheDir()).store("npm-nsfwjs-4.4.0.h5", null, null,
                tmp -> KerasH5.writeModel(tmp, c.kerasVersion(), c.backend(), c.modelConfig(), drifted), "test");

        Run r = run("weights", "verify", "npm:nsfwjs@4.4.0", "-w", dir.toString());
        assertEquals(Main.EXIT_CHECK_FAILED, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("FAILED"), r.out());
    }

    @Test
    void verifyOfWeightsWithoutAReferenceIsAOneLineUserError(@TempDir Path dir) {
        Run r = run("weights", "verify", "keras:mobilenet_v2_1.0_224", "-w", dir.toString());
        assertEquals(Main.EXIT_USER_ERROR, r.code());
        assertTrue(r.err().startsWith("error: no TF.js reference outputs for keras:mobilenet_v2_1.0_224"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }

    @Test
    void fetchWithoutNpmIsAOneLineUserErrorNamingTheFix(@TempDir Path dir) {
        String old = System.getProperty(WeightSources.NPM_PROPERTY);
        System.setProperty(WeightSources.NPM_PROPERTY, dir.resolve("no-npm-here").toString());
        try {
            Run r = run("weights", "fetch", "npm:nsfwjs@4.4.0", "-w", dir.toString());
            assertEquals(Main.EXIT_USER_ERROR, r.code());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertTrue(r.err().contains("install Node.js with npm"), r.err());
        } finally {
            if (old == null) {
                System.clearProperty(WeightSources.NPM_PROPERTY);
            } else {
                System.setProperty(WeightSources.NPM_PROPERTY, old);
            }
        }
    }
}
