package io.tlwb.data;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_WEBP_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;

/** Tiny images the tests write themselves. */
final class Fixtures {
    private Fixtures() {
    }

    static Path png(Path file, int width, int height, Color color) {
        return write(file, solid(width, height, BufferedImage.TYPE_INT_RGB, color), "png");
    }

    static Path jpeg(Path file, int width, int height, Color color) {
        return write(file, solid(width, height, BufferedImage.TYPE_INT_RGB, color), "jpg");
    }

    /** A solid image whose colour varies with {@code seed}, so that files differ in content. */
    static Path distinctPng(Path file, int size, int seed) {
        return png(file, size, size, new Color((seed * 37) % 256, (seed * 91) % 256, (seed * 53) % 256));
    }

    static BufferedImage solid(int width, int height, int type, Color color) {
        BufferedImage image = new BufferedImage(width, height, type);
        Graphics2D g = image.createGraphics();
        g.setColor(color);
        g.fillRect(0, 0, width, height);
        g.dispose();
        return image;
    }

    static Path write(Path file, BufferedImage image, String format) {
        try {
            Files.createDirectories(file.getParent());
            if (!ImageIO.write(image, format, file.toFile())) {
                throw new IllegalStateException("no ImageIO writer for " + format + " and image type " + image.getType());
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An animated GIF of two frames, each of one colour: readers must take the first. */
    static Path animatedGif(Path file, int width, int height, Color first, Color second) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
        try {
            Files.createDirectories(file.getParent());
            Files.deleteIfExists(file);
            try (ImageOutputStream out = ImageIO.createImageOutputStream(file.toFile())) {
                writer.setOutput(out);
                writer.prepareWriteSequence(null);
                for (Color color : new Color[] {first, second}) {
                    writer.writeToSequence(new IIOImage(solid(width, height, BufferedImage.TYPE_BYTE_INDEXED, color),
                            null, null), null);
                }
                writer.endWriteSequence();
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
    }

    /** A lossless WebP of one colour, encoded by OpenCV (the JDK writes no WebP). */
    static Path webp(Path file, int width, int height, Color color) {
        try (Mat image = new Mat(height, width, CV_8UC3,
                new Scalar(color.getBlue(), color.getGreen(), color.getRed(), 0));
             BytePointer encoded = new BytePointer();
             IntPointer params = new IntPointer(IMWRITE_WEBP_QUALITY, 101)) {
            if (!imencode(".webp", image, encoded, params)) {
                throw new IllegalStateException("OpenCV cannot encode WebP");
            }
            byte[] content = new byte[(int) encoded.limit()];
            encoded.get(content);
            return bytes(file, content);
        }
    }

    static Path bytes(Path file, byte[] content) {
        try {
            Files.createDirectories(file.getParent());
            return Files.write(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code root/<class>/<class>-i.png} for each class, {@code perClass} distinct images each. */
    static Path classFolders(Path root, int perClass, String... classes) {
        return classFolders(root, perClass, 0, classes);
    }

    /** As {@link #classFolders(Path, int, String...)}, colours drawn from {@code firstSeed + 1} on (distinct below 256). */
    static Path classFolders(Path root, int perClass, int firstSeed, String... classes) {
        int seed = firstSeed;
        for (String c : classes) {
            for (int i = 0; i < perClass; i++) {
                distinctPng(root.resolve(c).resolve(c + "-" + i + ".png"), 32, ++seed);
            }
        }
        return root;
    }

    /** {@code image} as JPEG bytes from ImageIO's writer, with {@code param} (null: the writer's defaults). */
    static byte[] jpegBytes(IIOImage image, javax.imageio.ImageWriteParam param) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.write(null, image, param);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }
}
