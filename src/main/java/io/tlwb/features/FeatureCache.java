package io.tlwb.features;

import io.tlwb.AtomicFiles;
import io.tlwb.Hashes;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.zip.CRC32;

/**
 * Pooled bottleneck features on disk, one small file per (image content, view), in a folder per featurizer key.
 *
 * <p>The key covers everything that changes the features (weights sha256, cut layer, image size, preprocessing),
 * and images are addressed by the sha256 of their bytes, so a changed image or weight file is simply a miss.
 * Each file carries a checksum; a damaged or truncated file reads as a miss and is rewritten, never trusted.
 */
public final class FeatureCache {

    private static final int MAGIC = 0x544C5746; // "TLWF"
    private static final int VERSION = 1;

    private final Path dir;

    public FeatureCache(Path cacheRoot, String featurizerKey) {
        this.dir = cacheRoot.resolve(Hashes.sha256(featurizerKey).substring(0, 20));
        try {
            Files.createDirectories(dir);
            Path keyFile = dir.resolve("key.txt");
            if (!Files.exists(keyFile)) {
                AtomicFiles.write(keyFile, (featurizerKey + System.lineSeparator()).getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the feature cache folder " + dir, e);
        }
    }

    /** The folder holding this featurizer's entries. */
    public Path dir() {
        return dir;
    }

    /** The cached features of one view of an image, or empty when absent or damaged. */
    public Optional<float[]> get(String imageSha256, String view) {
        Path file = fileFor(imageSha256, view);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try (DataInputStream in = new DataInputStream(Files.newInputStream(file))) {
            if (in.readInt() != MAGIC || in.readInt() != VERSION) {
                return Optional.empty();
            }
            int length = in.readInt();
            if (length <= 0 || length > 1 << 24) {
                return Optional.empty();
            }
            byte[] bytes = in.readNBytes(length * Float.BYTES);
            if (bytes.length != length * Float.BYTES || in.readLong() != crc(bytes) || in.read() != -1) {
                return Optional.empty();
            }
            float[] values = new float[length];
            ByteBuffer.wrap(bytes).asFloatBuffer().get(values);
            return Optional.of(values);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Whether an entry exists for one view of an image (not whether it is intact: {@link #get} checks that). */
    public boolean contains(String imageSha256, String view) {
        return Files.isRegularFile(fileFor(imageSha256, view));
    }

    /** Stores features atomically: a crash leaves the old entry or none, never half of one. */
    public void put(String imageSha256, String view, float[] features) {
        ByteBuffer data = ByteBuffer.allocate(features.length * Float.BYTES);
        data.asFloatBuffer().put(features);
        byte[] bytes = data.array();
        ByteArrayOutputStream buffer = new ByteArrayOutputStream(bytes.length + 24);
        try (DataOutputStream out = new DataOutputStream(buffer)) {
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            out.writeInt(features.length);
            out.write(bytes);
            out.writeLong(crc(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path file = fileFor(imageSha256, view);
        try {
            Files.createDirectories(file.getParent());
            AtomicFiles.write(file, buffer.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the feature cache entry " + file, e);
        }
    }

    Path fileFor(String imageSha256, String view) {
        if (!imageSha256.matches("[0-9a-f]{64}") || !view.matches("[a-z0-9-]+")) {
            throw new IllegalArgumentException("bad cache address " + imageSha256 + "/" + view);
        }
        return dir.resolve(imageSha256.substring(0, 2)).resolve(imageSha256 + "." + view + ".f32");
    }

    private static long crc(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return crc.getValue();
    }
}
