package io.tlwb;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/** Writes that never leave half a file behind: a temp file beside the target, moved into place when complete. */
public final class AtomicFiles {

    private static final Set<PosixFilePermission> SHARED = PosixFilePermissions.fromString("rw-r--r--");

    private AtomicFiles() {
    }

    /**
     * A new empty hidden temp file in {@code target}'s folder (created if needed), to write and then move onto
     * {@code target}. It is readable by everyone, as files people share (models, reports, caches) normally are:
     * plain temp files are owner-only, and the move would keep that.
     */
    public static Path tempFileBeside(Path target) throws IOException {
        Path parent = target.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        String prefix = "." + target.getFileName() + ".";
        if (parent.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return Files.createTempFile(parent, prefix, ".tmp", PosixFilePermissions.asFileAttribute(SHARED));
        }
        return Files.createTempFile(parent, prefix, ".tmp");
    }

    /**
     * A new hidden private folder in {@code target}'s folder, for writes that make helper files of their own (a zip
     * file system rewrites its archive through a temp file beside it): delete it with {@link #deleteTree} in a
     * {@code finally}, and nothing of a failed write remains.
     */
    public static Path tempFolderBeside(Path target) throws IOException {
        Path parent = target.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        return Files.createTempDirectory(parent, "." + target.getFileName() + ".");
    }

    /** Makes {@code file} readable by everyone, as a shared file normally is (temp files are owner-only). */
    public static void share(Path file) throws IOException {
        if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.setPosixFilePermissions(file, SHARED);
        }
    }

    /** Deletes {@code root} and everything under it; null or absent is fine. */
    public static void deleteTree(Path root) throws IOException {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /**
     * Moves a finished temp file onto {@code target}, atomically where the filesystem can (readers see the old file
     * or the new one, never a mix), else as a plain replacing move.
     */
    public static void moveIntoPlace(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    public static void write(Path target, byte[] bytes) throws IOException {
        Path tmp = tempFileBeside(target);
        try {
            Files.write(tmp, bytes);
            moveIntoPlace(tmp, target);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    public static void writeString(Path target, String text) throws IOException {
        write(target, text.getBytes(StandardCharsets.UTF_8));
    }
}
