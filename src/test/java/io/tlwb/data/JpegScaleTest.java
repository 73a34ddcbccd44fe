package io.tlwb.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

class JpegScaleTest {

    private static byte[] jpeg(int width, int height) throws IOException {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, ((x * 255 / width) << 16) | ((y * 255 / height) << 8) | 90);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "jpg", out);
        return out.toByteArray();
    }

    @Test
    void readsTheSizeFromTheFrameHeader() throws IOException {
        assertArrayEquals(new int[]{640, 480}, JpegScale.dimensions(jpeg(640, 480)));
        assertNull(JpegScale.dimensions(new byte[]{(byte) 0x89, 'P', 'N', 'G'}));
        assertNull(JpegScale.dimensions(new byte[]{(byte) 0xFF, (byte) 0xD8, (byte) 0xFF}));
    }

    @Test
    void picksTheLargestReductionThatStillCoversTheTarget() throws IOException {
        assertEquals(8, JpegScale.reduction(jpeg(2592, 1944), 160));
        assertEquals(2, JpegScale.reduction(jpeg(500, 375), 160));
        assertEquals(1, JpegScale.reduction(jpeg(300, 200), 160));
        assertEquals(1, JpegScale.reduction(jpeg(120, 120), 160));
    }

    /** A reduced decode gives the image a full decode gives, to the rounding of a smaller intermediate. */
    @Test
    void aReducedDecodeLooksLikeAFullOne(@TempDir Path dir) throws IOException {
        Path big = Files.write(dir.resolve("big.jpg"), jpeg(1280, 960));
        ImagePipeline pipeline = new ImagePipeline(64, io.tlwb.pretrained.Preprocessing.ZERO_TO_ONE);
        INDArray reduced = pipeline.load(big);
        // a full decode through DataVec's own path, converted and resized the same way
        INDArray viaDataVec = new org.datavec.image.loader.NativeImageLoader(64, 64, 3) {
            @Override
            protected INDArray transformImage(org.bytedeco.opencv.opencv_core.Mat image, INDArray ret)
                    throws IOException {
                return super.transformImage(RgbImageLoader.toRgb8(image, 64), ret);
            }
        }.asMatrix(big.toFile(), false).div(255.0);
        assertArrayEquals(reduced.shape(), viaDataVec.shape());
        double diff = org.nd4j.linalg.ops.transforms.Transforms.abs(reduced.sub(viaDataVec)).maxNumber().doubleValue();
        assertTrue(diff < 0.05, "max pixel difference of a smooth image: " + diff);
    }
}
