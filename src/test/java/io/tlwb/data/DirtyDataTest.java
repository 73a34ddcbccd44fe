package io.tlwb.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tlwb.pretrained.Preprocessing;
import java.awt.Color;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.zip.CRC32;
import javax.imageio.IIOImage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/**
 * One dataset with every kind of dirt in it: the scan must keep what is usable, skip the rest with a reason, and the
 * pipeline must then read every kept image into sensible RGB values.
 */
class DirtyDataTest {

    @TempDir
    static Path dir;
    static Path root;
    static ImageDataset dataset;

    @BeforeAll
    static void writeDirtyDataset() throws Exception {
        root = dir.resolve("dirty");
        Fixtures.classFolders(root, 3, "clean", "other");
        Path d = root.resolve("dirty");
        // usable, each an odd variant
        Fixtures.write(d.resolve("grey.jpg"), Fixtures.solid(40, 30, BufferedImage.TYPE_BYTE_GRAY, Color.GRAY), "jpg");
        Fixtures.write(d.resolve("grey.png"), Fixtures.solid(40, 30, BufferedImage.TYPE_BYTE_GRAY, Color.WHITE), "png");
        Fixtures.write(d.resolve("alpha.png"), Fixtures.solid(33, 20, BufferedImage.TYPE_INT_ARGB,
                new Color(255, 0, 0, 128)), "png");
        Fixtures.write(d.resolve("palette.png"), Fixtures.solid(20, 20, BufferedImage.TYPE_BYTE_INDEXED, Color.RED),
                "png");
        Fixtures.write(d.resolve("grey16.png"), grey16(24, 24, 65535), "png");
        Fixtures.write(d.resolve("rgb16.png"), rgb16(24, 24, 65535, 0, 0), "png");
        Fixtures.write(d.resolve("grey-alpha.png"), greyAlpha(24, 24, 255, 255), "png");
        Fixtures.bytes(d.resolve("cmyk.jpg"), cmykJpeg(32, 32));
        Fixtures.png(d.resolve("tiny.png"), 1, 1, Color.RED);
        Fixtures.jpeg(d.resolve("large.jpg"), 3000, 2000, Color.RED);
        Fixtures.write(d.resolve("image.bmp"), Fixtures.solid(20, 20, BufferedImage.TYPE_INT_RGB, Color.RED), "bmp");
        Fixtures.png(d.resolve("png-named.jpg"), 20, 20, Color.RED);
        // unusable
        Fixtures.bytes(d.resolve("zero.jpg"), new byte[0]);
        Fixtures.bytes(d.resolve("notes.txt"), "just some notes\n".getBytes());
        Fixtures.bytes(d.resolve("fake.png"), "hello, not a png".getBytes());
        byte[] jpeg = Files.readAllBytes(Fixtures.jpeg(dir.resolve("whole.jpg"), 64, 64, Color.BLUE));
        Fixtures.bytes(d.resolve("truncated.jpg"), Arrays.copyOf(jpeg, jpeg.length * 2 / 3));
        byte[] png = Files.readAllBytes(Fixtures.distinctPng(dir.resolve("whole.png"), 64, 5));
        Fixtures.bytes(d.resolve("truncated.png"), Arrays.copyOf(png, png.length / 2));
        byte[] corrupt = jpeg.clone();
        Arrays.fill(corrupt, 3, corrupt.length - 2, (byte) 0x55);
        Fixtures.bytes(d.resolve("corrupt.jpg"), corrupt);
        Fixtures.write(d.resolve("still.gif"), Fixtures.solid(8, 8, BufferedImage.TYPE_BYTE_INDEXED, Color.RED), "gif");
        Fixtures.animatedGif(d.resolve("anim.gif"), 20, 20, Color.GREEN, Color.BLUE);
        Fixtures.webp(d.resolve("image.webp"), 20, 20, Color.BLUE);
        byte[] gif = Files.readAllBytes(d.resolve("anim.gif"));
        Fixtures.bytes(d.resolve("truncated.gif"), Arrays.copyOf(gif, 14));
        Fixtures.bytes(d.resolve("huge.png"), pngHeaderOnly(30_000, 20_000));
        Files.createDirectories(d.resolve("nested"));
        Fixtures.png(d.resolve("nested/inner.png"), 8, 8, Color.RED);
        dataset = ImageFolders.open(root, 0.3, 1);
    }

    @Test
    void unusableFilesAreSkippedWithTheReason() {
        Map<String, String> reasons = dataset.skipped().stream()
                .collect(Collectors.toMap(s -> s.file().getFileName().toString(), SkippedFile::reason));
        assertEquals("empty file (0 bytes)", reasons.get("zero.jpg"));
        assertEquals("not an image (unrecognised content)", reasons.get("notes.txt"));
        assertEquals("not an image (unrecognised content)", reasons.get("fake.png"));
        assertEquals("truncated JPEG (no end-of-image marker)", reasons.get("truncated.jpg"));
        assertTrue(reasons.get("truncated.png").startsWith("cannot decode PNG"), reasons.get("truncated.png"));
        assertTrue(reasons.get("corrupt.jpg").startsWith("cannot decode JPEG"), reasons.get("corrupt.jpg"));
        assertTrue(reasons.get("truncated.gif").startsWith("cannot decode GIF"), reasons.get("truncated.gif"));
        assertEquals("image too large (30000x20000, limit 100 megapixels)", reasons.get("huge.png"));
        assertTrue(reasons.get("nested").startsWith("ignored: folder inside a class folder"), reasons.get("nested"));
        assertEquals(9, reasons.size(), reasons.toString());
    }

    @Test
    void oddButValidImagesAreKept() {
        List<String> kept = dataset.train().stream().map(LabeledImage::file).filter(f -> f.startsWith(root.resolve(
                "dirty"))).map(f -> f.getFileName().toString()).collect(Collectors.toList());
        dataset.validation().stream().map(LabeledImage::file).filter(f -> f.startsWith(root.resolve("dirty")))
                .forEach(f -> kept.add(f.getFileName().toString()));
        kept.sort(null);
        assertEquals(List.of("alpha.png", "anim.gif", "cmyk.jpg", "grey-alpha.png", "grey.jpg", "grey.png",
                "grey16.png", "image.bmp", "image.webp", "large.jpg", "palette.png", "png-named.jpg", "rgb16.png",
                "still.gif", "tiny.png"), kept);
    }

    @Test
    void everyKeptImageReadsAsRgbInRange() {
        ImagePipeline pipeline = new ImagePipeline(32, Preprocessing.ZERO_TO_ONE);
        List<LabeledImage> all = new java.util.ArrayList<>(dataset.train());
        all.addAll(dataset.validation());
        DataSetIterator it = pipeline.iterator(all, dataset.numClasses(), 64, false, Augmentation.FLIP_ROTATE, 3);
        DataSet batch = it.next();
        assertArrayEquals(new long[] {all.size(), 32, 32, 3}, batch.getFeatures().shape());
        assertTrue(batch.getFeatures().minNumber().doubleValue() >= 0);
        assertTrue(batch.getFeatures().maxNumber().doubleValue() <= 1);
    }

    @Test
    void variantsDecodeToTheExpectedColours() {
        ImagePipeline pipeline = new ImagePipeline(16, Preprocessing.ZERO_TO_ONE);
        Path d = root.resolve("dirty");
        assertRgb(pipeline.load(d.resolve("grey16.png")), 1, 1, 1);
        assertRgb(pipeline.load(d.resolve("rgb16.png")), 1, 0, 0);
        assertRgb(pipeline.load(d.resolve("grey.png")), 1, 1, 1);
        assertRgb(pipeline.load(d.resolve("grey-alpha.png")), 1, 1, 1);
        assertRgb(pipeline.load(d.resolve("tiny.png")), 1, 0, 0);
        assertRgb(pipeline.load(d.resolve("palette.png")), 1, 0, 0);
        assertRgb(pipeline.load(d.resolve("large.jpg")), 1, 0, 0);
        assertRgb(pipeline.load(d.resolve("image.bmp")), 1, 0, 0);
        assertRgb(pipeline.load(d.resolve("still.gif")), 1, 0, 0);
        assertRgb(pipeline.load(d.resolve("anim.gif")), 0, 1, 0);
        assertRgb(pipeline.load(d.resolve("image.webp")), 0, 0, 1);
        INDArray alpha = pipeline.load(d.resolve("alpha.png"));
        assertEquals(1, alpha.getFloat(0, 8, 8, 0), 0.01, "alpha dropped, colour kept");
        INDArray cmyk = pipeline.load(d.resolve("cmyk.jpg"));
        assertArrayEquals(new long[] {1, 16, 16, 3}, cmyk.shape());
    }

    /** Training batches (DataVec's batch path) read GIF's first frame and WebP as single loads do. */
    @Test
    void gifAndWebpReadTheSameInTrainingBatches() {
        ImagePipeline pipeline = new ImagePipeline(16, Preprocessing.ZERO_TO_ONE);
        Path d = root.resolve("dirty");
        List<LabeledImage> images = List.of(new LabeledImage(d.resolve("anim.gif"), 0, "a"),
                new LabeledImage(d.resolve("image.webp"), 0, "b"));
        INDArray batch = pipeline.iterator(images, 1, 2, false, Augmentation.NONE, 0).next().getFeatures();
        assertEquals(pipeline.load(d.resolve("anim.gif")), batch.get(NDArrayIndex.interval(0, 1)));
        assertEquals(pipeline.load(d.resolve("image.webp")), batch.get(NDArrayIndex.interval(1, 2)));
        assertRgb(batch.get(NDArrayIndex.interval(0, 1)), 0, 1, 0);
    }

    private static void assertRgb(INDArray x, double r, double g, double b) {
        assertEquals(r, x.getFloat(0, 8, 8, 0), 0.03, "red");
        assertEquals(g, x.getFloat(0, 8, 8, 1), 0.03, "green");
        assertEquals(b, x.getFloat(0, 8, 8, 2), 0.03, "blue");
    }

    static BufferedImage grey16(int w, int h, int value) {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_USHORT_GRAY);
        WritableRaster raster = image.getRaster();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                raster.setSample(x, y, 0, value);
            }
        }
        return image;
    }

    static BufferedImage rgb16(int w, int h, int r, int g, int b) {
        ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), false, false,
                Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
        WritableRaster raster = cm.createCompatibleWritableRaster(w, h);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                raster.setPixel(x, y, new int[] {r, g, b});
            }
        }
        return new BufferedImage(cm, raster, false, null);
    }

    static BufferedImage greyAlpha(int w, int h, int grey, int alpha) {
        ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_GRAY), true, false,
                Transparency.TRANSLUCENT, DataBuffer.TYPE_BYTE);
        WritableRaster raster = cm.createCompatibleWritableRaster(w, h);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                raster.setPixel(x, y, new int[] {grey, alpha});
            }
        }
        return new BufferedImage(cm, raster, false, null);
    }

    /** A four-component (CMYK/YCCK) JPEG: ImageIO writes a bare four-band raster that way. */
    static byte[] cmykJpeg(int w, int h) throws IOException {
        WritableRaster raster = java.awt.image.Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, w, h, 4, null);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                raster.setPixel(x, y, new int[] {0, 255, 255, 0});
            }
        }
        return Fixtures.jpegBytes(new IIOImage(raster, null, null), null);
    }

    /** A PNG signature and header claiming {@code w x h}, with no image data: enough for the size check. */
    static byte[] pngHeaderOnly(int w, int h) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A});
        ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
        DataOutputStream body = new DataOutputStream(ihdr);
        body.writeBytes("IHDR");
        body.writeInt(w);
        body.writeInt(h);
        body.write(new byte[] {8, 2, 0, 0, 0});
        byte[] chunk = ihdr.toByteArray();
        out.writeInt(chunk.length - 4);
        out.write(chunk);
        CRC32 crc = new CRC32();
        crc.update(chunk);
        out.writeInt((int) crc.getValue());
        return bytes.toByteArray();
    }
}
