package io.tlwb.data;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_ANYCOLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_ANYDEPTH;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_GRAYSCALE_2;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_GRAYSCALE_4;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_GRAYSCALE_8;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;

import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Encoded image bytes to an OpenCV {@link Mat}, the one decoding every reader of images shares (the pipeline's loader,
 * the probe, thumbnails): OpenCV's decoders with DataVec's flags ({@code IMREAD_ANYDEPTH | IMREAD_ANYCOLOR}) for
 * JPEG, PNG, BMP, TIFF and WebP, and the first frame of a GIF as 8-bit BGR. OpenCV 4.5 has no GIF decoder (and
 * DataVec's Leptonica fallback fails on every input), so the JDK's reader decodes GIFs. Transparent pixels become
 * black; later frames of an animation are ignored, as Keras' {@code image_dataset_from_directory} does.
 */
final class ImageDecoder {

    private ImageDecoder() {
    }

    private static boolean isGif(byte[] bytes) {
        return "GIF".equals(ImageProbe.sniff(bytes));
    }

    /**
     * The decoded image; null or empty when OpenCV cannot decode it.
     *
     * @throws IOException if the bytes are a GIF that does not decode
     */
    static Mat decode(byte[] bytes) throws IOException {
        if (isGif(bytes)) {
            return gifFirstFrame(bytes);
        }
        try (BytePointer data = new BytePointer(bytes); Mat buffer = new Mat(1, bytes.length, CV_8UC1, data)) {
            return imdecode(buffer, IMREAD_ANYDEPTH | IMREAD_ANYCOLOR);
        }
    }

    /**
     * The decoded image for a model input of {@code side x side} pixels; null or empty when it does not decode. A JPEG
     * at least twice that size on both sides decodes at the smallest of libjpeg's scales (1/2, 1/4, 1/8) that keeps
     * both sides at least {@code side}, so the area resize after it only finishes the shrink: libjpeg's scaled inverse
     * DCT averages each block's pixels from its coefficients, and skips most of the work (bench's decoding alone at
     * 160 px: 500 x 375 photos 298 -> 429 img/s, 12-megapixel ones 6 -> 27 img/s). Anything else decodes whole.
     *
     * @throws IOException if the bytes are a GIF that does not decode
     */
    static Mat decodeForSide(byte[] bytes, int side) throws IOException {
        String format = ImageProbe.sniff(bytes);
        long[] header = "JPEG".equals(format) ? ImageProbe.headerSize(format, bytes) : null;
        int reduction = header == null ? 1 : jpegReduction(header[0], header[1], side);
        return reduction == 1 ? decode(bytes) : decodeReduced(bytes, reduction);
    }

    /** The largest of libjpeg's reductions (8, 4, 2, else 1) whose rounded-up sides stay at least {@code side}. */
    static int jpegReduction(long width, long height, int side) {
        long shorter = Math.min(width, height);
        for (int reduction = 8; reduction > 1; reduction /= 2) {
            if ((shorter + reduction - 1) / reduction >= side) {
                return reduction;
            }
        }
        return 1;
    }

    /**
     * A JPEG decoded at a half, a quarter or an eighth of its width and height (rounded up), with the same flags as
     * {@link #decode}: libjpeg's scaled decoding, which skips most of the inverse DCT but none of the entropy
     * decoding. Null or empty when it does not decode.
     */
    static Mat decodeReduced(byte[] jpeg, int reduction) {
        // the flags that ask for a scale; IMREAD_ANYCOLOR still keeps the colour, as in the full decoding
        int scale = switch (reduction) {
            case 2 -> IMREAD_REDUCED_GRAYSCALE_2;
            case 4 -> IMREAD_REDUCED_GRAYSCALE_4;
            case 8 -> IMREAD_REDUCED_GRAYSCALE_8;
            default -> throw new IllegalArgumentException("libjpeg scales by 2, 4 or 8, not " + reduction);
        };
        try (BytePointer data = new BytePointer(jpeg); Mat buffer = new Mat(1, jpeg.length, CV_8UC1, data)) {
            return imdecode(buffer, scale | IMREAD_ANYDEPTH | IMREAD_ANYCOLOR);
        }
    }

    /**
     * @throws IOException if the bytes do not decode as a GIF
     */
    private static Mat gifFirstFrame(byte[] bytes) throws IOException {
        BufferedImage frame;
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName("gif");
            if (!readers.hasNext()) {
                throw new IOException("this Java runtime has no GIF reader");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                frame = reader.read(0);
            } catch (RuntimeException e) { // the JDK's reader throws unchecked exceptions on some corrupt files
                throw new IOException("corrupt GIF: " + e.getMessage(), e);
            } finally {
                reader.dispose();
            }
        }
        BufferedImage bgr = new BufferedImage(frame.getWidth(), frame.getHeight(), BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = bgr.createGraphics();
        try {
            g.drawImage(frame, 0, 0, null);
        } finally {
            g.dispose();
        }
        byte[] pixels = ((DataBufferByte) bgr.getRaster().getDataBuffer()).getData();
        Mat image = new Mat(bgr.getHeight(), bgr.getWidth(), CV_8UC3);
        try (BytePointer data = image.data()) {
            data.put(pixels);
        }
        return image;
    }
}
