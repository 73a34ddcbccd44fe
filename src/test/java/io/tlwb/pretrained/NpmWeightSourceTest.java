package io.tlwb.pretrained;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tlwb.Workspace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpmWeightSourceTest {

    @Test
    void nsfwjsIsFetchedWithNpmConvertedAndMatchesTheTfjsReference() {
        PretrainedModel model = SharedNsfwjs.model();
        assertEquals("npm:nsfwjs@4.4.0", model.spec());
        assertEquals(Preprocessing.ZERO_TO_ONE, model.preprocessing());
        assertEquals("out_relu", model.bottleneckLayer());
        assertEquals("block_13_expand_relu", model.defaultCutLayer(), "cut below the blocks tuned on NSFW data");
        assertEquals(224, model.nativeInputSize());
        assertEquals(WeightCache.sha256(model.file()), model.sha256());
        assertTrue(Files.isRegularFile(Path.of(model.file() + WeightCache.SIDECAR)));

        ReferenceCheck.Result r = ReferenceCheck.verify(model);
        System.out.println(r.render());
        assertTrue(r.passed(), r.render());
        assertTrue(r.maxDiffSoftmax() < 1e-4, r.render());
    }

    @Test
    void theConvertedFileKeepsTheWholeModelInKerasLayout() {
        KerasH5.Contents c = KerasH5.read(SharedNsfwjs.file().file());
        assertFalse(c.weightsOnly());
        assertEquals("2.2.4", c.kerasVersion());
        assertEquals(162, c.layers().size());
        assertEquals(266, c.layers().stream().mapToInt(l -> l.weights().size()).sum());
        assertEquals(2_619_461, c.layers().stream().mapToLong(LayerWeights::parameterCount).sum());
        assertEquals("Conv1/kernel:0", c.byLayer().get("Conv1").weights().get(0).name());
        assertTrue(c.modelConfig().contains("\"max_value\":6.0"), "ReLU max_value must be a float for DL4J");
        assertTrue(c.modelConfig().contains("\"dense_3\""), "the 5-class top stays in the file");
    }

    @Test
    void aCachedEntryIsUsedWithoutRunningNpmAgain() {
        WeightsFile first = SharedNsfwjs.file();
        WeightsFile again = new NpmWeightSource("4.4.0", NpmWeightSource.Model.MOBILENET_V2, "/nonexistent/npm").fetch(SharedNsfwjs.workspace());
        assertEquals(first, again);
    }

    @Test
    void aMissingNpmClientIsAOneLineErrorNamingTheFix(@TempDir Path dir) {
        Workspace ws = new Workspace(dir);
        WeightsException e = assertThrows(WeightsException.class,
                () -> new NpmWeightSource("4.4.0", NpmWeightSource.Model.MOBILENET_V2, "/nonexistent/npm").fetch(ws));
        assertOneLine(e);
        assertTrue(e.getMessage().contains("/nonexistent/npm"), e.getMessage());
        assertTrue(e.getMessage().contains("install Node.js with npm"), e.getMessage());
        assertTrue(e.getMessage().contains("-D" + WeightSources.NPM_PROPERTY), e.getMessage());
        assertNoCacheEntry(ws);
    }

    @Test
    void aFailingNpmIsAOneLineErrorAndLeavesNoCacheEntry(@TempDir Path dir) throws IOException {
        Path fakeNpm = dir.resolve("npm");
        Files.writeString(fakeNpm, "#!/bin/sh\necho 'npm error code E404' >&2\necho 'npm error 404 Not Found' >&2\nexit 1\n");
        fakeNpm.toFile().setExecutable(true);
        Workspace ws = new Workspace(dir.resolve("ws"));
        WeightsException e = assertThrows(WeightsException.class,
                () -> new NpmWeightSource("4.4.0", NpmWeightSource.Model.MOBILENET_V2, fakeNpm.toString()).fetch(ws));
        assertOneLine(e);
        assertTrue(e.getMessage().contains("exit code 1"), e.getMessage());
        assertTrue(e.getMessage().contains("E404"), e.getMessage());
        assertNoCacheEntry(ws);
    }

    @Test
    void aCachedFileThatChangedAfterCachingIsRejected(@TempDir Path dir) throws IOException {
        Workspace ws = new Workspace(dir);
        Files.createDirectories(ws.weightsCacheDir());
        NpmWeightSource source = new NpmWeightSource("4.4.0", NpmWeightSource.Model.MOBILENET_V2, "/nonexistent/npm");
        Path cached = ws.weightsCacheDir().resolve(source.cacheName());
        Files.copy(SharedNsfwjs.file().file(), cached);
        Files.copy(Path.of(SharedNsfwjs.file().file() + WeightCache.SIDECAR), Path.of(cached + WeightCache.SIDECAR));
        Files.write(cached, new byte[]{1, 2, 3}, StandardOpenOption.APPEND);

        WeightsException e = assertThrows(WeightsException.class, () -> source.fetch(ws));
        assertOneLine(e);
        assertTrue(e.getMessage().contains(cached.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("weights fetch --force npm:nsfwjs@4.4.0"), e.getMessage());
    }

    @Test
    void otherNpmPackagesAreRejectedWithTheAcceptedForm() {
        WeightsException e = assertThrows(WeightsException.class, () -> WeightSources.parse("npm:left-pad@1.3.0"));
        assertOneLine(e);
        assertTrue(e.getMessage().contains("npm:nsfwjs@X.Y.Z"), e.getMessage());
    }

    static void assertOneLine(Exception e) {
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }

    static void assertNoCacheEntry(Workspace ws) {
        Path dir = ws.weightsCacheDir();
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(0, files.count(), "the cache must stay empty after a failed fetch");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
