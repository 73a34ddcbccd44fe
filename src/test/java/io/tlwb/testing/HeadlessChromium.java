package io.tlwb.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * Debian's {@code chromium}, headless, as a test's browser: loads a page, lets its scripts run, and returns the
 * rendered DOM and every console message (Chromium prints them on stderr with {@code --enable-logging=stderr});
 * or takes a screenshot. Each call is a fresh browser with a fresh profile and no network but what the page asks.
 */
public final class HeadlessChromium {

    public static final Path BINARY = Path.of("/usr/bin/chromium");
    private static final Pattern CONSOLE = Pattern.compile(":CONSOLE[^\\]]*\\] (.*)$");
    private static final long TIMEOUT_SECONDS = 120;

    /** What a page showed: its DOM after scripts ran, and what it said on the console. */
    public record Page(String dom, List<String> console) {
        /** Console lines that are errors: uncaught exceptions, failed loads, and scripts' own error logs. */
        public List<String> errors() {
            return console.stream().filter(line -> line.contains("Uncaught") || line.contains("Failed to load")
                    || line.contains("Error") || line.contains("error")).toList();
        }
    }

    private HeadlessChromium() {
    }

    /** Skips the calling test, saying why, when Chromium is not installed. */
    public static void assumeInstalled() {
        Assumptions.assumeTrue(Files.isExecutable(BINARY), "browser tests need " + BINARY
                + " (Debian: apt-get install -y chromium); skipped");
    }

    /** Loads {@code url}, gives its scripts {@code millis} of (virtual) time, and returns the DOM and console. */
    public static Page load(URI url, int millis) {
        Result r = run(List.of("--enable-logging=stderr", "--v=0", "--virtual-time-budget=" + millis,
                "--window-size=1400,1000", "--dump-dom", url.toString()));
        List<String> console = new ArrayList<>();
        for (String line : r.stderr.split("\n")) {
            Matcher m = CONSOLE.matcher(line);
            if (m.find()) {
                console.add(m.group(1));
            }
        }
        return new Page(r.stdout, console);
    }

    /** Saves a PNG of {@code url} at {@code width} x {@code height} after {@code millis} of script time. */
    public static Path screenshot(URI url, Path png, int width, int height, int millis) {
        try {
            Files.createDirectories(png.toAbsolutePath().getParent());
            Files.deleteIfExists(png);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Result r = run(List.of("--hide-scrollbars", "--virtual-time-budget=" + millis,
                "--window-size=" + width + "," + height, "--screenshot=" + png.toAbsolutePath(), url.toString()));
        if (!Files.isRegularFile(png)) {
            throw new AssertionError("chromium wrote no screenshot of " + url + ": " + r.stderr);
        }
        return png;
    }

    private record Result(String stdout, String stderr) {
    }

    private static Result run(List<String> args) {
        Path profile = null;
        Path stdout = null;
        Path stderr = null;
        Process p = null;
        try {
            profile = Files.createTempDirectory("tlwb-chromium-");
            stdout = Files.createTempFile("tlwb-chromium-", ".out");
            stderr = Files.createTempFile("tlwb-chromium-", ".err");
            List<String> command = new ArrayList<>(List.of(BINARY.toString(), "--headless", "--no-sandbox",
                    "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                    "--user-data-dir=" + profile));
            command.addAll(args);
            p = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new AssertionError("chromium did not finish in " + TIMEOUT_SECONDS + " s: " + command);
            }
            return new Result(Files.readString(stdout), Files.readString(stderr));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } finally {
            if (p != null && p.isAlive()) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
            delete(profile);
            delete(stdout);
            delete(stderr);
        }
    }

    private static void delete(Path path) {
        if (path == null) {
            return;
        }
        try (Stream<Path> all = Files.walk(path)) {
            all.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // a leftover temp file is harmless
        }
    }
}
