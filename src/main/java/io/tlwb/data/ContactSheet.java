package io.tlwb.data;

import io.tlwb.AtomicFiles;

import io.tlwb.data.FolderScan.ClassFolder;
import io.tlwb.data.FolderScan.Image;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * A PNG overview of a dataset: one row per class (and split), its name, image count and a few evenly spaced samples,
 * decoded as the pipeline decodes them (so a CMYK or 16-bit file looks as the model will see it, only not squashed).
 */
public final class ContactSheet {

    private static final int LABEL_WIDTH = 170;
    private static final int GAP = 4;

    private ContactSheet() {
    }

    /**
     * Renders the sheet.
     *
     * @param perClass  samples per row, at least 1
     * @param thumbSize the longer side of a sample in pixels (16..512)
     */
    public static BufferedImage render(FolderScan scan, int perClass, int thumbSize) {
        if (perClass < 1 || thumbSize < 16 || thumbSize > 512) {
            throw new IllegalArgumentException("need perClass >= 1 and thumbSize in 16..512, got " + perClass + ", "
                    + thumbSize);
        }
        Map<String, List<Image>> rows = new LinkedHashMap<>();
        for (ClassFolder folder : scan.folders()) {
            String label = folder.split().isEmpty() ? folder.className() : folder.split() + "/" + folder.className();
            rows.put(label, scan.images(folder.split(), folder.className()));
        }
        int cell = thumbSize + GAP;
        int width = LABEL_WIDTH + perClass * cell + GAP;
        int height = Math.max(1, rows.size()) * cell + GAP;
        BufferedImage sheet = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = sheet.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(new Color(0xF4F4F4));
            g.fillRect(0, 0, width, height);
            int y = GAP;
            for (Map.Entry<String, List<Image>> row : rows.entrySet()) {
                List<Image> images = row.getValue();
                g.setColor(Color.DARK_GRAY);
                g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
                g.drawString(ellipsis(row.getKey(), 22), GAP * 2, y + thumbSize / 2);
                g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
                g.drawString(images.size() + (images.size() == 1 ? " image" : " images"), GAP * 2,
                        y + thumbSize / 2 + 16);
                List<Image> samples = evenlySpaced(images, perClass);
                int x = LABEL_WIDTH;
                for (Image image : samples) {
                    BufferedImage thumb = thumbnail(image.file(), thumbSize);
                    if (thumb != null) {
                        g.drawImage(thumb, x + (thumbSize - thumb.getWidth()) / 2,
                                y + (thumbSize - thumb.getHeight()) / 2, null);
                    }
                    x += cell;
                }
                y += cell;
            }
        } finally {
            g.dispose();
        }
        return sheet;
    }

    /**
     * Writes {@code image} as a PNG to {@code target} atomically (a temporary file in the same folder, then a rename).
     *
     * @throws DataException if {@code target} exists and {@code overwrite} is false, or it cannot be written
     */
    public static void writePng(BufferedImage image, Path target, boolean overwrite) {
        Path t = target.toAbsolutePath().normalize();
        if (Files.exists(t) && !overwrite) {
            throw new DataException(t + " already exists: use --force to overwrite it, or choose another file");
        }
        try {
            Path tmp = AtomicFiles.tempFileBeside(t);
            try {
                try (OutputStream out = Files.newOutputStream(tmp)) {
                    if (!ImageIO.write(image, "png", out)) {
                        throw new IOException("no PNG writer");
                    }
                }
                AtomicFiles.moveIntoPlace(tmp, t);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new DataException("cannot write " + t + ": " + e.getMessage(), e);
        }
    }

    static <T> List<T> evenlySpaced(List<T> items, int count) {
        if (items.size() <= count) {
            return items;
        }
        List<T> picked = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            picked.add(items.get((int) ((long) i * items.size() / count)));
        }
        return picked;
    }

    /**
     * The image scaled to fit {@code size x size}, aspect kept (small images enlarged), decoded as training decodes it
     * (every format the pipeline reads), or null if it no longer decodes.
     */
    public static BufferedImage thumbnail(Path file, int size) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            return null;
        }
        try (Mat decoded = ImageDecoder.decode(bytes)) {
            if (decoded == null || decoded.empty()) {
                return null;
            }
            double scale = Math.min((double) size / decoded.cols(), (double) size / decoded.rows());
            int w = Math.max(1, (int) Math.round(decoded.cols() * scale));
            int h = Math.max(1, (int) Math.round(decoded.rows() * scale));
            try (Mat rgb = RgbImageLoader.toRgb8(decoded, w, h)) {
                byte[] pixels = new byte[w * h * 3];
                rgb.data().get(pixels);
                BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
                for (int y = 0, i = 0; y < h; y++) {
                    for (int x = 0; x < w; x++, i += 3) {
                        out.setRGB(x, y, (pixels[i] & 0xFF) << 16 | (pixels[i + 1] & 0xFF) << 8 | (pixels[i + 2] & 0xFF));
                    }
                }
                return out;
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static String ellipsis(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
