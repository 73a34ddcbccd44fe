package io.tlwb.pretrained;

import io.tlwb.AtomicFiles;
import io.tlwb.Hashes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The weights cache ({@code models/weights/}): each entry is {@code NAME.h5} plus {@code NAME.h5.sha256}
 * (sha256sum format), and optionally {@code NAME.h5.provenance.json}.
 *
 * <p>Entries are written to a temp file in the same folder and moved into place; the sha256 sidecar is written
 * last, so a file without a sidecar is an unfinished entry and is fetched again. A file whose sha256 no longer
 * matches its sidecar is an error: nothing silently uses changed weights.
 */
final class WeightCache {
    static final String SIDECAR = ".sha256";
    static final String PROVENANCE = ".provenance.json";

    private final Path dir;

    WeightCache(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
    }

    Path dir() {
        return dir;
    }

    Path path(String name) {
        return dir.resolve(name);
    }

    /** Writes the content of one cache entry to the given (temporary) path. */
    interface Producer {
        void writeTo(Path tmp) throws IOException;
    }

    /**
     * The verified entry {@code name}, or empty if it is absent or unfinished.
     *
     * @throws WeightsException if the file's sha256 differs from its sidecar
     */
    Optional<WeightsFile> lookup(String name, String fixCommand) {
        Path file = path(name);
        Path sidecar = path(name + SIDECAR);
        if (!Files.isRegularFile(file) || !Files.isRegularFile(sidecar)) {
            return Optional.empty();
        }
        String recorded = readSidecar(sidecar);
        String actual = sha256(file);
        if (!actual.equals(recorded)) {
            throw new WeightsException("cached weights " + file + " have sha256 " + actual + " but " + sidecar
                    + " records " + recorded + ": the file changed after it was cached; delete both files or run `"
                    + fixCommand + "` to fetch it again");
        }
        return Optional.of(new WeightsFile(file, actual));
    }

    /**
     * Produces entry {@code name} atomically. If {@code expectedSha256} is not null and the produced bytes differ,
     * nothing is stored and a WeightsException names both hashes.
     */
    WeightsFile store(String name, String expectedSha256, String provenanceJson, Producer producer,
                      String describeSource) {
        Path file = path(name);
        Path tmp = null;
        try {
            tmp = AtomicFiles.tempFileBeside(file);
            producer.writeTo(tmp);
            String sha = sha256(tmp);
            if (expectedSha256 != null && !expectedSha256.equalsIgnoreCase(sha)) {
                throw new WeightsException(describeSource + " has sha256 " + sha + " but " + expectedSha256
                        + " was expected: the download is corrupt or was replaced; nothing was cached, retry later "
                        + "or report the new hash");
            }
            Files.deleteIfExists(path(name + SIDECAR)); // the old entry is unfinished from here on
            AtomicFiles.moveIntoPlace(tmp, file);
            tmp = null;
            if (provenanceJson != null) {
                AtomicFiles.writeString(path(name + PROVENANCE), provenanceJson);
            }
            AtomicFiles.writeString(path(name + SIDECAR), sha + "  " + name + "\n");
            return new WeightsFile(file, sha);
        } catch (IOException e) {
            throw new WeightsException("cannot write " + file + " (" + KerasH5.oneLine(e)
                    + "): check that " + dir + " is writable and the disk has space", e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort: a stray hidden .tmp file is never taken for an entry
                }
            }
        }
    }

    /** Removes entry {@code name} (file, sidecar, provenance). */
    void delete(String name) {
        try {
            Files.deleteIfExists(path(name + SIDECAR));
            Files.deleteIfExists(path(name));
            Files.deleteIfExists(path(name + PROVENANCE));
        } catch (IOException e) {
            throw new WeightsException("cannot delete " + path(name) + " (" + KerasH5.oneLine(e) + ")", e);
        }
    }

    /** Every complete entry (with a sidecar), by name; sha256 as recorded, not re-verified. */
    List<WeightsFile> list() {
        List<WeightsFile> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path sidecar : files.filter(p -> p.getFileName().toString().endsWith(SIDECAR)).sorted().toList()) {
                String n = sidecar.getFileName().toString();
                Path file = dir.resolve(n.substring(0, n.length() - SIDECAR.length()));
                if (Files.isRegularFile(file)) {
                    out.add(new WeightsFile(file, readSidecar(sidecar)));
                }
            }
        } catch (IOException e) {
            throw new WeightsException("cannot list " + dir + " (" + KerasH5.oneLine(e) + ")", e);
        }
        return out;
    }

    private static String readSidecar(Path sidecar) {
        try {
            String s = Files.readString(sidecar, StandardCharsets.UTF_8).trim();
            int space = s.indexOf(' ');
            return (space < 0 ? s : s.substring(0, space)).toLowerCase();
        } catch (IOException e) {
            throw new WeightsException("cannot read " + sidecar + " (" + KerasH5.oneLine(e) + ")", e);
        }
    }

    static String sha256(Path file) {
        try {
            return Hashes.sha256(file);
        } catch (IOException e) {
            throw new WeightsException("cannot read " + file + " (" + KerasH5.oneLine(e) + ")", e);
        }
    }
}
