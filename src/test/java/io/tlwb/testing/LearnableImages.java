package io.tlwb.testing;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * A small two-class image folder a classifier can actually learn: warm ({@code ants}) versus cool ({@code bees})
 * noisy images, every file different. Layout {@code root/<class>/<class>-<i>.png}.
 */
public final class LearnableImages {

    private LearnableImages() {
    }

    public static Path write(Path root, int perClass, int size, long seed) {
        Random random = new Random(seed);
        String[] classes = {"ants", "bees"};
        for (int c = 0; c < classes.length; c++) {
            for (int i = 0; i < perClass; i++) {
                BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
                for (int y = 0; y < size; y++) {
                    for (int x = 0; x < size; x++) {
                        int noise = random.nextInt(90);
                        int warm = 150 + random.nextInt(100);
                        int r = c == 0 ? warm : noise;
                        int b = c == 0 ? noise : warm;
                        image.setRGB(x, y, (r << 16) | (random.nextInt(120) << 8) | b);
                    }
                }
                Path file = root.resolve(classes[c]).resolve(classes[c] + "-" + i + ".png");
                try {
                    Files.createDirectories(file.getParent());
                    ImageIO.write(image, "png", file.toFile());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return root;
    }
}
