package io.tlwb.data;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

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
}
