package io.tlwb.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tlwb.WorkbenchException;
import io.tlwb.testing.TinyBase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SavedModelTest {

    @TempDir
    Path tmp;

    private static SavedModel model() {
        ModelCard card = new ModelCard(ModelCard.FORMAT, List.of("ants", "bees", "flies", "moths", "wasps"), 32, "ZERO_TO_ONE", "test:tiny",
                "0".repeat(64), "out_relu", List.of(), HeadConfig.TUTORIAL, Map.of(), Map.of(), "fp",
                Map.of("tool", "tlwb test"));
        return new SavedModel(TinyBase.create(64, 1).graph(), card);
    }

    private static List<String> names(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aSavedZipIsTheOnlyFileLeftAndReadableByEveryone() throws IOException {
        Path zip = tmp.resolve("m.zip");
        model().save(zip, false);
        assertEquals(List.of("m.zip"), names(tmp));
        assertEquals("rw-r--r--", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(zip)));
        assertEquals("ants", SavedModel.load(zip).card().classes().get(0));
    }

    /**
     * On a filesystem with a little room left, at whichever step the space runs out (the DL4J zip, the zip file
     * system's rewrite that adds the model card, the move), the save fails with a one-line error and leaves nothing.
     * Needs a small tmpfs: runs as root where mounting is allowed, and says so when skipped.
     */
    @Test
    void aFullDiskLeavesNothingPartialBehind() throws Exception {
        Path small = Files.createDirectories(tmp.resolve("small"));
        boolean mounted = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", small.toString())
                .redirectErrorStream(true).start().waitFor() == 0;
        Assumptions.assumeTrue(mounted, "skipped: cannot mount a small tmpfs here (needs root)");
        try {
            SavedModel model = model();
            Path probe = tmp.resolve("probe.zip");
            model.save(probe, false);
            long size = Files.size(probe);
            int failures = 0;
            for (double room = 0.25; room <= 2.5; room += 0.25) {
                Path filler = small.resolve("filler");
                Files.deleteIfExists(filler);
                long free = Files.getFileStore(small).getUsableSpace();
                Files.write(filler, new byte[(int) Math.max(0, free - (long) (room * size))]);
                Path zip = small.resolve("m.zip");
                try {
                    model.save(zip, true);
                    assertEquals(List.of("filler", "m.zip"), names(small), "room " + room);
                    Files.delete(zip);
                } catch (WorkbenchException e) {
                    failures++;
                    assertTrue(e.getMessage().contains("has space") && !e.getMessage().contains("\n"), e.getMessage());
                    assertEquals(List.of("filler"), names(small), "after failing with room for " + room + " zips");
                }
            }
            assertTrue(failures > 0, "the disk never filled up; the test proves nothing");
        } finally {
            // lazily: DL4J's writer may still hold a descriptor of the deleted file it failed to write
            new ProcessBuilder("umount", "-l", small.toString()).start().waitFor();
        }
    }

    @Test
    void anExistingFileIsNotReplacedWithoutForce() throws IOException {
        Path zip = Files.writeString(tmp.resolve("keep.zip"), "precious");
        assertThrows(WorkbenchException.class, () -> model().save(zip, false));
        assertEquals("precious", Files.readString(zip));
    }
}
