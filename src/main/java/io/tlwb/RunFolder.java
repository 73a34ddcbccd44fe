package io.tlwb;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;

/**
 * The folder {@code runs/<id>/} every run keeps: its exact configuration, metrics, skipped files, dashboard stats and
 * report. Ids sort by time, carry a random tag so runs from different workspaces never share an id (the dashboard
 * uses it as the session id), and a new run never reuses an existing folder.
 */
public record RunFolder(String id, Path dir) {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Creates a fresh folder {@code <runsDir>/<kind>-<timestamp>-<tag>[-n]}. */
    public static RunFolder create(Path runsDir, String kind) {
        String base = kind + "-" + LocalDateTime.now().format(STAMP) + "-"
                + HexFormat.of().toHexDigits((short) RANDOM.nextInt(1 << 16));
        try {
            Files.createDirectories(runsDir);
            for (int n = 0; ; n++) {
                String id = n == 0 ? base : base + "-" + n;
                try {
                    return new RunFolder(id, Files.createDirectory(runsDir.resolve(id)));
                } catch (FileAlreadyExistsException taken) {
                    // another run started in the same second: try the next suffix
                }
            }
        } catch (IOException e) {
            throw new WorkbenchException("cannot create a run folder under " + runsDir + ": " + e.getMessage()
                    + " (check it is writable)", e);
        }
    }

    public Path file(String name) {
        return dir.resolve(name);
    }

    /** Writes {@code value} as indented JSON to {@code name} in this folder, atomically. */
    public Path writeJson(String name, Object value) {
        return writeJson(file(name), value);
    }

    /** Writes {@code value} as indented JSON to any path, atomically (used for --metrics-json too). */
    public static Path writeJson(Path target, Object value) {
        try {
            AtomicFiles.write(target, JSON.writeValueAsBytes(value));
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target, e);
        }
    }
}
