package io.tlwb.data;

import static org.bytedeco.opencv.global.opencv_core.CV_16U;
import static org.bytedeco.opencv.global.opencv_core.CV_8U;

import io.tlwb.Hashes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Checks one file the way the pipeline will read it: OpenCV's decoder with DataVec's flags
 * ({@code IMREAD_ANYDEPTH | IMREAD_ANYCOLOR}), and hashes its bytes on the way.
 *
 * <p>Usable: JPEG (grey, colour, CMYK), PNG (grey, palette, alpha, 8 or 16 bit), BMP, TIFF, WebP and GIF (the first
 * frame, see {@link ImageDecoder}) that decode, of at most {@link #MAX_PIXELS} pixels. Grey becomes three channels, alpha
 * is dropped, 16 bit becomes 8 bit (see {@link RgbImageLoader}). Not usable, with the reason: empty files, files that
 * are not images, JPEGs without their end marker (truncated: OpenCV would pad them with grey), anything that does not
 * decode.
 */
public final class ImageProbe {

    /** Images with more pixels are skipped before decoding: one 8-bit RGB copy would need 3 bytes a pixel. */
    static final long MAX_PIXELS = 100_000_000L;
    /** Files larger than this are not read at all. */
    public static final long MAX_FILE_BYTES = 256L * 1024 * 1024;

    private ImageProbe() {
    }

    /** What a check found: either the decoded size and hash, or why the file is not usable. */
    public record Result(Path file, String format, int width, int height, int channels, int bitDepth, String sha256,
                         String problem) {
        public boolean usable() {
            return problem == null;
        }
    }

    /** Checks {@code file}, reading it whole (hashing it on the way) and decoding it once. */
    public static Result probe(Path file) {
        byte[] bytes;
        try {
            long size = Files.size(file);
            if (size == 0) {
                return bad(file, "?", null, "empty file (0 bytes)");
            }
            if (size > MAX_FILE_BYTES) {
                return bad(file, "?", null, "file too large (" + size / (1024 * 1024) + " MB, limit "
                        + MAX_FILE_BYTES / (1024 * 1024) + " MB)");
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            return bad(file, "?", null, "cannot read: " + e.getMessage());
        }
        String sha = Hashes.sha256(bytes);
        String format = sniff(bytes);
        if (format == null) {
            return bad(file, "?", sha, "not an image (unrecognised content)");
        }
        long[] header = headerSize(format, bytes);
        if (header != null && header[0] * header[1] > MAX_PIXELS) {
            return bad(file, format, sha, String.format(Locale.ROOT,
                    "image too large (%dx%d, limit %d megapixels)", header[0], header[1], MAX_PIXELS / 1_000_000));
        }
        if (format.equals("JPEG") && !hasJpegEnd(bytes)) {
            return bad(file, format, sha, "truncated JPEG (no end-of-image marker)");
        }
        try (Decoded decoded = decodeToCheck(format, header, bytes)) {
            Mat image = decoded.image();
            if (image == null || image.empty()) {
                return bad(file, format, sha, "cannot decode " + format + " (corrupt or unsupported variant)");
            }
            int depth = image.depth();
            if (depth != CV_8U && depth != CV_16U) {
                return bad(file, format, sha, "unsupported sample type (OpenCV depth " + depth + "), expected 8 or 16 bit");
            }
            int channels = image.channels();
            if (channels < 1 || channels > 4) {
                return bad(file, format, sha, "unsupported channel count " + channels);
            }
            if (decoded.width() * decoded.height() > MAX_PIXELS) {
                return bad(file, format, sha, String.format(Locale.ROOT, "image too large (%dx%d, limit %d megapixels)",
                        decoded.width(), decoded.height(), MAX_PIXELS / 1_000_000));
            }
            return new Result(file, format, (int) decoded.width(), (int) decoded.height(), channels,
                    depth == CV_8U ? 8 : 16, sha, null);
        } catch (IOException | RuntimeException e) {
            return bad(file, format, sha, "cannot decode " + format + ": " + e.getMessage());
        }
    }

    /** A decoding made to check a file, and the size the full decoding has (EXIF rotation applied). */
    private record Decoded(Mat image, long width, long height) implements AutoCloseable {
        @Override
        public void close() {
            if (image != null) {
                image.close();
            }
        }
    }

    /**
     * Decodes as the pipeline will, except a JPEG, which decodes at an eighth of its size: libjpeg reads every
     * coefficient of the file either way, so damaged data fails the same, and a 500 x 375 photo checks in 0.5 ms
     * instead of 2.1 ms (the scan decoded every image twice as slowly as the featurizing pass). Its size is then the
     * header's, turned when the decoder turned it for an EXIF orientation, which the eighth shows unless the two
     * sides round to the same eighth; such a JPEG decodes whole.
     */
    private static Decoded decodeToCheck(String format, long[] header, byte[] bytes) throws IOException {
        if (format.equals("JPEG") && header != null
                && (header[0] == header[1] || eighth(header[0]) != eighth(header[1]))) {
            Mat eighth = ImageDecoder.decodeReduced(bytes, 8);
            boolean turned = eighth != null && !eighth.empty() && eighth.cols() != eighth(header[0]);
            return new Decoded(eighth, turned ? header[1] : header[0], turned ? header[0] : header[1]);
        }
        Mat image = ImageDecoder.decode(bytes);
        boolean decodedAny = image != null && !image.empty();
        return new Decoded(image, decodedAny ? image.cols() : 0, decodedAny ? image.rows() : 0);
    }

    /** A side's length in libjpeg's eighth-size decoding: rounded up. */
    private static long eighth(long side) {
        return (side + 7) / 8;
    }

    /**
     * Checks uploaded bytes before decoding: a JPEG, PNG, BMP, GIF or WebP whose header size is at most
     * {@code maxPixels}, and a JPEG with its end marker. Decoding failures are the caller's to report.
     *
     * @throws ImageRejected saying why not
     */
    static void requireUsableUpload(byte[] bytes, String source, long maxPixels) {
        String format = sniff(bytes);
        long[] size = format == null ? null : headerSize(format, bytes);
        if (size == null) {
            throw new ImageRejected(ImageRejected.Reason.NOT_AN_IMAGE, source + ": not a JPEG, PNG, BMP, GIF or WebP image"
                    + (format == null ? "" : " (" + format + ")") + "; send one of those");
        }
        if (size[0] <= 0 || size[1] <= 0 || size[0] * size[1] > maxPixels) {
            throw new ImageRejected(ImageRejected.Reason.TOO_MANY_PIXELS, String.format(Locale.ROOT,
                    "%s: image too large (%dx%d, limit %.1f megapixels); resize it first", source, size[0], size[1],
                    maxPixels / 1e6));
        }
        if (format.equals("JPEG") && !hasJpegEnd(bytes)) {
            throw new ImageRejected(ImageRejected.Reason.CORRUPT, source + ": truncated JPEG (no end-of-image marker)");
        }
    }

    private static Result bad(Path file, String format, String sha, String problem) {
        return new Result(file, format, 0, 0, 0, 0, sha, problem);
    }

    /** The format named by the file's first bytes, or null when they belong to no image format we know. */
    static String sniff(byte[] b) {
        if (startsWith(b, 0xFF, 0xD8, 0xFF)) {
            return "JPEG";
        }
        if (startsWith(b, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) {
            return "PNG";
        }
        if (startsWith(b, 'G', 'I', 'F', '8')) {
            return "GIF";
        }
        if (startsWith(b, 'B', 'M') && b.length > 26) {
            return "BMP";
        }
        if (startsWith(b, 'I', 'I', 42, 0) || startsWith(b, 'M', 'M', 0, 42)) {
            return "TIFF";
        }
        if (b.length > 12 && startsWith(b, 'R', 'I', 'F', 'F') && b[8] == 'W' && b[9] == 'E' && b[10] == 'B'
                && b[11] == 'P') {
            return "WEBP";
        }
        return null;
    }

    private static boolean startsWith(byte[] b, int... prefix) {
        if (b.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if ((b[i] & 0xFF) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /** Width and height from the header of a PNG, JPEG, BMP, GIF or WebP without decoding it, or null. */
    static long[] headerSize(String format, byte[] b) {
        if (format.equals("GIF") && b.length >= 10) { // logical screen: every frame lies inside it
            return new long[] {readShortLittleEndian(b, 6), readShortLittleEndian(b, 8)};
        }
        if (format.equals("WEBP")) {
            return webpSize(b);
        }
        if (format.equals("BMP")) { // BITMAPINFOHEADER: little-endian width and (signed, negative: top-down) height
            long w = readIntLittleEndian(b, 18);
            long h = Math.abs(readIntLittleEndian(b, 22));
            return new long[] {w, h};
        }
        if (format.equals("PNG") && b.length >= 24) {
            return new long[] {readInt(b, 16), readInt(b, 20)};
        }
        if (format.equals("JPEG")) {
            int i = 2;
            while (i + 9 < b.length) {
                if ((b[i] & 0xFF) != 0xFF) {
                    return null;
                }
                int marker = b[i + 1] & 0xFF;
                if (marker == 0xFF) {
                    i++;
                    continue;
                }
                int length = ((b[i + 2] & 0xFF) << 8) | (b[i + 3] & 0xFF);
                boolean sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
                if (sof) {
                    long h = ((b[i + 5] & 0xFF) << 8) | (b[i + 6] & 0xFF);
                    long w = ((b[i + 7] & 0xFF) << 8) | (b[i + 8] & 0xFF);
                    return new long[] {w, h};
                }
                if (marker == 0xDA) {
                    return null;
                }
                i += 2 + length;
            }
        }
        return null;
    }

    /**
     * The canvas of a WebP from its first chunk: {@code VP8X} (extended: 24-bit width and height minus one),
     * {@code VP8L} (lossless: 14-bit fields minus one after the signature byte) or {@code VP8 } (lossy: 14-bit fields
     * after the key frame's start code); null for anything else.
     */
    private static long[] webpSize(byte[] b) {
        if (b.length < 30) {
            return null;
        }
        String chunk = new String(b, 12, 4, StandardCharsets.US_ASCII);
        return switch (chunk) {
            case "VP8X" -> new long[] {1 + readUInt24LittleEndian(b, 24), 1 + readUInt24LittleEndian(b, 27)};
            case "VP8L" -> {
                if ((b[20] & 0xFF) != 0x2F) {
                    yield null;
                }
                long bits = readIntLittleEndian(b, 21) & 0xFFFFFFFFL;
                yield new long[] {1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF)};
            }
            case "VP8 " -> {
                if ((b[23] & 0xFF) != 0x9D || (b[24] & 0xFF) != 0x01 || (b[25] & 0xFF) != 0x2A) {
                    yield null;
                }
                yield new long[] {readShortLittleEndian(b, 26) & 0x3FFF, readShortLittleEndian(b, 28) & 0x3FFF};
            }
            default -> null;
        };
    }

    private static long readShortLittleEndian(byte[] b, int at) {
        return (b[at] & 0xFF) | ((b[at + 1] & 0xFF) << 8);
    }

    private static long readUInt24LittleEndian(byte[] b, int at) {
        return (b[at] & 0xFF) | ((b[at + 1] & 0xFF) << 8) | ((long) (b[at + 2] & 0xFF) << 16);
    }

    private static long readIntLittleEndian(byte[] b, int at) {
        return (b[at] & 0xFF) | ((b[at + 1] & 0xFF) << 8) | ((b[at + 2] & 0xFF) << 16) | ((long) b[at + 3] << 24);
    }

    private static long readInt(byte[] b, int at) {
        return ((long) (b[at] & 0xFF) << 24) | ((b[at + 1] & 0xFF) << 16) | ((b[at + 2] & 0xFF) << 8) | (b[at + 3] & 0xFF);
    }

    /**
     * Whether a JPEG's end-of-image marker (FF D9) is in its tail. A truncated JPEG still "decodes" in OpenCV, with the
     * missing part grey, so this is the check that finds it. The tail is the last half of the file, at most 64 KB, which
     * allows for data some cameras append after the image.
     */
    static boolean hasJpegEnd(byte[] b) {
        int from = Math.max(2, b.length - Math.min(64 * 1024, b.length / 2));
        for (int i = b.length - 2; i >= from; i--) {
            if ((b[i] & 0xFF) == 0xFF && (b[i + 1] & 0xFF) == 0xD9) {
                return true;
            }
        }
        return false;
    }
}
