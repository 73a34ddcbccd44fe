package io.tlwb.serve;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The serving page's files, read once from the jar's {@code ui/} folder. Only these names are served, looked up
 * exactly: no path from a request ever reaches the file system.
 */
final class StaticPage {

    /** URL path to packaged file and content type. */
    private static final Map<String, String[]> FILES = Map.of(
            "/", new String[] {"index.html", "text/html; charset=utf-8"},
            "/index.html", new String[] {"index.html", "text/html; charset=utf-8"},
            "/app.js", new String[] {"app.js", "text/javascript; charset=utf-8"},
            "/app.css", new String[] {"app.css", "text/css; charset=utf-8"});

    /** A file's bytes and content type. */
    record File(byte[] bytes, String contentType) {
    }

    private final Map<String, File> files;

    StaticPage() {
        files = Map.copyOf(FILES.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey,
                e -> new File(read(e.getValue()[0]), e.getValue()[1]))));
    }

    Optional<File> get(String path) {
        return Optional.ofNullable(files.get(path));
    }

    private static byte[] read(String name) {
        try (InputStream in = StaticPage.class.getClassLoader().getResourceAsStream("ui/" + name)) {
            if (in == null) {
                throw new IllegalStateException("the serving page's ui/" + name + " is not on the classpath");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
