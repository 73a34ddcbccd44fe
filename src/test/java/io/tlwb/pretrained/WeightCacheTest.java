package io.tlwb.pretrained;

import static io.tlwb.pretrained.NpmWeightSourceTest.assertOneLine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WeightCacheTest {

    @Test
    void aStoredEntryHasASha256SidecarInSha256sumFormat(@TempDir Path dir) throws IOException {
        WeightCache cache = new WeightCache(dir);
        WeightsFile f = cache.store("a.h5", null, "{}", tmp -> Files.writeString(tmp, "hello"), "test");
        assertEquals("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", f.sha256());
        assertEquals(f.sha256() + "  a.h5\n", Files.readString(dir.resolve("a.h5.sha256")));
        assertEquals(f, cache.lookup("a.h5", "fix").orElseThrow());
    }

    @Test
    void aFailingProducerLeavesNothingBehind(@TempDir Path dir) throws IOException {
        WeightCache cache = new WeightCache(dir);
        assertThrows(WeightsException.class, () -> cache.store("a.h5", null, null, tmp -> {
            Files.writeString(tmp, "half");
            throw new WeightsException("network went away");
        }, "test"));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(0, files.count());
        }
    }

    @Test
    void anUnexpectedSha256StoresNothing(@TempDir Path dir) throws IOException {
        WeightCache cache = new WeightCache(dir);
        WeightsException e = assertThrows(WeightsException.class,
                () -> cache.store("a.h5", "ab".repeat(32), null, tmp -> Files.writeString(tmp, "x"), "http://x/a.h5"));
        assertOneLine(e);
        assertTrue(e.getMessage().startsWith("http://x/a.h5 has sha256 "), e.getMessage());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(0, files.count());
        }
    }

    @Test
    void aFileWithoutSidecarIsAnUnfinishedEntryAndIsNotUsed(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("a.h5"), "partial");
        assertTrue(new WeightCache(dir).lookup("a.h5", "fix").isEmpty());
        assertTrue(new WeightCache(dir).list().isEmpty());
    }
}
