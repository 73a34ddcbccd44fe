package io.tlwb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {

    @TempDir
    Path tmp;

    @Test
    void writesTheWholeFileIntoNewFoldersLeavingNoTempFileAndReadableByOthers() throws Exception {
        Path target = tmp.resolve("a/b/model.json");
        AtomicFiles.writeString(target, "{}");
        assertEquals("{}", Files.readString(target));
        try (var files = Files.list(target.getParent())) {
            assertEquals(List.of(target), files.toList(), "no temp file left beside it");
        }
        if (tmp.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            assertTrue(Files.getPosixFilePermissions(target).contains(PosixFilePermission.OTHERS_READ),
                    "shared like any saved file, not owner-only like a temp file");
        }
    }
}
