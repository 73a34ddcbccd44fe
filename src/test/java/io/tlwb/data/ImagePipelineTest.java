package io.tlwb.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tlwb.pretrained.Preprocessing;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

class ImagePipelineTest {

    @TempDir
    Path dir;

    private static final float EPS = 1e-5f;

    @Test
    void batchesAreNhwcRgbWithOneHotLabels() {
        Path red = Fixtures.png(dir.resolve("red/r.png"), 40, 30, Color.RED);
        Path blue = Fixtures.png(dir.resolve("blue/b.png"), 50, 50, Color.BLUE);
        List<LabeledImage> images = List.of(new LabeledImage(blue, 0, "b"), new LabeledImage(red, 1, "r"));
        DataSetIterator it = new ImagePipeline(32, Preprocessing.ZERO_TO_ONE)
                .iterator(images, 2, 8, false, Augmentation.NONE, 1);
        DataSet batch = it.next();
        assertArrayEquals(new long[] {2, 32, 32, 3}, batch.getFeatures().shape());
        assertArrayEquals(new long[] {2, 2}, batch.getLabels().shape());
        // blue first (list order), label 0; red second, label 1
        assertArrayEquals(new float[] {1, 0, 0, 1}, batch.getLabels().data().asFloat());
        INDArray f = batch.getFeatures();
        assertEquals(0f, f.getFloat(0, 5, 5, 0), EPS);
        assertEquals(1f, f.getFloat(0, 5, 5, 2), EPS);
        assertEquals(1f, f.getFloat(1, 5, 5, 0), EPS, "red must land in channel 0 (RGB, not OpenCV's BGR)");
        assertEquals(0f, f.getFloat(1, 5, 5, 1), EPS);
        assertEquals(0f, f.getFloat(1, 5, 5, 2), EPS);
        assertFalse(it.hasNext());
        assertEquals(List.of("0", "1"), it.getLabels(), "DataVec's label names are the indexes; ImageDataset names them");
    }

    @Test
    void preprocessingMapsPixelRangeToMinusOneToOne() {
        Path red = Fixtures.png(dir.resolve("red/r.png"), 16, 16, Color.RED);
        Path other = Fixtures.png(dir.resolve("other/o.png"), 16, 16, Color.BLACK);
        DataSet batch = new ImagePipeline(16, Preprocessing.MINUS_ONE_TO_ONE)
                .iterator(List.of(new LabeledImage(red, 0, "r"), new LabeledImage(other, 1, "o")), 2, 2, false,
                        Augmentation.NONE, 1).next();
        assertEquals(1f, batch.getFeatures().getFloat(0, 3, 3, 0), EPS);
        assertEquals(-1f, batch.getFeatures().getFloat(0, 3, 3, 1), EPS);
        assertEquals(-1f, batch.getFeatures().getFloat(1, 3, 3, 0), EPS);
        assertEquals(1f, batch.getFeatures().maxNumber().floatValue(), EPS);
        assertEquals(-1f, batch.getFeatures().minNumber().floatValue(), EPS);
    }

    @Test
    void loadGivesOneNhwcRgbImageLikeTheIterator() {
        Path red = Fixtures.jpeg(dir.resolve("red/r.jpg"), 64, 48, Color.RED);
        INDArray x = new ImagePipeline(32, Preprocessing.ZERO_TO_ONE).load(red);
        assertArrayEquals(new long[] {1, 32, 32, 3}, x.shape());
        assertTrue(x.getFloat(0, 10, 10, 0) > 0.95f, "red channel " + x.getFloat(0, 10, 10, 0));
        assertTrue(x.getFloat(0, 10, 10, 2) < 0.05f, "blue channel " + x.getFloat(0, 10, 10, 2));
        INDArray fromIterator = new ImagePipeline(32, Preprocessing.ZERO_TO_ONE)
                .iterator(List.of(new LabeledImage(red, 0, "r")), 1, 1, false, Augmentation.NONE, 1).next()
                .getFeatures();
        assertEquals(fromIterator, x);
    }

    @Test
    void loadNamesTheFileItCannotDecode() {
        Path bad = Fixtures.bytes(dir.resolve("notes.jpg"), "not an image".getBytes());
        DataException e = assertThrows(DataException.class,
                () -> new ImagePipeline(32, Preprocessing.ZERO_TO_ONE).load(bad));
        assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("not an image"), e.getMessage());
    }

    @Test
    void lastBatchIsPartialAndResetStartsAgain() {
        List<LabeledImage> images = images(5);
        DataSetIterator it = new ImagePipeline(16, Preprocessing.ZERO_TO_ONE)
                .iterator(images, 2, 2, false, Augmentation.NONE, 1);
        List<Long> sizes = new ArrayList<>();
        while (it.hasNext()) {
            sizes.add(it.next().getFeatures().size(0));
        }
        assertEquals(List.of(2L, 2L, 1L), sizes);
        it.reset();
        assertTrue(it.hasNext());
    }

    @Test
    void shuffledOrderIsSeededAndChangesPerEpoch() {
        List<LabeledImage> images = images(12);
        ImagePipeline pipeline = new ImagePipeline(8, Preprocessing.ZERO_TO_ONE);
        DataSetIterator a = pipeline.iterator(images, 2, 12, true, Augmentation.NONE, 42);
        DataSetIterator b = pipeline.iterator(images, 2, 12, true, Augmentation.NONE, 42);
        INDArray a0 = a.next().getFeatures();
        assertEquals(a0, b.next().getFeatures(), "same seed, same order");
        a.reset();
        INDArray a1 = a.next().getFeatures();
        assertNotEquals(a0, a1, "a new epoch has a new order");
        b.reset();
        assertEquals(a1, b.next().getFeatures(), "and the same per epoch");
        INDArray plain = pipeline.iterator(images, 2, 12, false, Augmentation.NONE, 42).next().getFeatures();
        assertNotEquals(a0, plain);
        assertEquals(plain.sumNumber().doubleValue(), a0.sumNumber().doubleValue(), 0.05, "same images");
    }

    @Test
    void flipAugmentationIsSeededAndOnlyFlips() {
        BufferedImage half = Fixtures.solid(16, 16, BufferedImage.TYPE_INT_RGB, Color.BLACK);
        Graphics2D g = half.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, 8, 16);
        g.dispose();
        List<LabeledImage> images = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            images.add(new LabeledImage(Fixtures.write(dir.resolve("c/h" + i + ".png"), half, "png"), 0, "h" + i));
        }
        ImagePipeline pipeline = new ImagePipeline(16, Preprocessing.ZERO_TO_ONE);
        INDArray x = pipeline.iterator(images, 1, 16, false, Augmentation.FLIP, 7).next().getFeatures();
        INDArray y = pipeline.iterator(images, 1, 16, false, Augmentation.FLIP, 7).next().getFeatures();
        assertEquals(x, y, "same seed, same flips");
        int flipped = 0;
        for (int i = 0; i < 16; i++) {
            float left = x.getFloat(i, 8, 1, 0);
            float right = x.getFloat(i, 8, 14, 0);
            assertEquals(1f, left + right, EPS, "a flip keeps one white and one black half");
            flipped += left < 0.5f ? 1 : 0;
        }
        assertTrue(flipped > 0 && flipped < 16, "about half flipped, got " + flipped);
        INDArray rotated = pipeline.iterator(images, 1, 16, false, Augmentation.FLIP_ROTATE, 7).next().getFeatures();
        assertArrayEquals(new long[] {16, 16, 16, 3}, rotated.shape());
        assertNotEquals(x, rotated);
    }

    @Test
    void flipHorizontallyReversesTheWidthAxis() {
        INDArray x = Nd4j.arange(2 * 2 * 3 * 3).reshape(2, 2, 3, 3).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT);
        INDArray f = ImagePipeline.flipHorizontally(x);
        assertArrayEquals(x.shape(), f.shape());
        for (int w = 0; w < 3; w++) {
            assertEquals(x.getFloat(1, 1, w, 2), f.getFloat(1, 1, 2 - w, 2), EPS);
        }
        assertEquals(x, ImagePipeline.flipHorizontally(f));
    }

    @Test
    void labelsFollowTheListEvenWhenAClassIsAbsent() {
        Path c = Fixtures.png(dir.resolve("c/x.png"), 8, 8, Color.GREEN);
        DataSet ds = new ImagePipeline(8, Preprocessing.ZERO_TO_ONE)
                .iterator(List.of(new LabeledImage(c, 2, "x")), 3, 4, false, Augmentation.NONE, 1).next();
        assertArrayEquals(new float[] {0, 0, 1}, ds.getLabels().data().asFloat());
    }

    private List<LabeledImage> images(int n) {
        List<LabeledImage> images = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String c = i % 2 == 0 ? "even" : "odd";
            images.add(new LabeledImage(Fixtures.distinctPng(dir.resolve(c).resolve(i + ".png"), 8, i + 1), i % 2,
                    "s" + i));
        }
        return images;
    }
}
