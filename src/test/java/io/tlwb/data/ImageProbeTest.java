package io.tlwb.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.IIOImage;
import javax.imageio.ImageWriteParam;
import javax.imageio.plugins.jpeg.JPEGImageWriteParam;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The scan checks a JPEG at an eighth of its size; what it reports must be what the full decoding gives. */
class ImageProbeTest {

    @TempDir
    Path dir;

    @Test
    void jpegsCheckedAtAnEighthReportTheFullDecodingsSizeAndChannels() throws IOException {
        BufferedImage colour = noise(203, 149, BufferedImage.TYPE_3BYTE_BGR, 1);
        byte[] baseline = jpeg(colour, false);
        assertSameAsFullDecoding("colour.jpg", baseline);
        assertSameAsFullDecoding("progressive.jpg", jpeg(colour, true));
        assertSameAsFullDecoding("grey.jpg", jpeg(noise(97, 131, BufferedImage.TYPE_BYTE_GRAY, 2), false));
        assertSameAsFullDecoding("cmyk.jpg", DirtyDataTest.cmykJpeg(40, 24));
        assertSameAsFullDecoding("turned.jpg", withOrientation(baseline, 6));
        // both sides round to the same eighth: the orientation cannot be seen there, so it decodes whole
        assertSameAsFullDecoding("turned-near-square.jpg", withOrientation(jpeg(noise(61, 58,
                BufferedImage.TYPE_3BYTE_BGR, 3), false), 8));
    }

    @Test
    void aDamagedJpegGetsTheFullDecodingsVerdict() throws IOException {
        byte[] whole = jpeg(noise(120, 90, BufferedImage.TYPE_3BYTE_BGR, 4), false);
        Random random = new Random(5);
        int unusable = 0;
        for (int trial = 0; trial < 40; trial++) {
            byte[] damaged = whole.clone();
            int at = 2 + random.nextInt(whole.length / 4); // the headers and the start of the scan: where damage shows
            for (int i = at; i < at + 1 + random.nextInt(16); i++) {
                damaged[i] = (byte) random.nextInt(256);
            }
            ImageProbe.Result result = assertSameAsFullDecoding("damaged-" + trial + ".jpg", damaged);
            unusable += result.usable() ? 0 : 1;
        }
        assertTrue(unusable > 0, "the damage should make some of the files unusable");
    }

    private ImageProbe.Result assertSameAsFullDecoding(String name, byte[] bytes) throws IOException {
        Path file = Files.write(dir.resolve(name), bytes);
        ImageProbe.Result result = ImageProbe.probe(file);
        Mat full;
        try {
            full = ImageDecoder.decode(bytes);
        } catch (RuntimeException e) {
            full = null;
        }
        boolean decodes = full != null && !full.empty();
        assertEquals(decodes, result.usable(), name + ": " + result.problem());
        if (decodes) {
            assertEquals(full.cols(), result.width(), name + " width");
            assertEquals(full.rows(), result.height(), name + " height");
            assertEquals(full.channels(), result.channels(), name + " channels");
            assertEquals(8, result.bitDepth(), name + " bit depth");
            full.close();
        }
        return result;
    }

    /** Random pixels: JPEG data with every coefficient in use, unlike a solid colour. */
    private static BufferedImage noise(int width, int height, int type, long seed) {
        BufferedImage image = new BufferedImage(width, height, type);
        byte[] pixels = ((java.awt.image.DataBufferByte) image.getRaster().getDataBuffer()).getData();
        new Random(seed).nextBytes(pixels);
        return image;
    }

    private static byte[] jpeg(BufferedImage image, boolean progressive) throws IOException {
        ImageWriteParam param = null;
        if (progressive) {
            param = new JPEGImageWriteParam(null);
            param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
        }
        return Fixtures.jpegBytes(new IIOImage(image, null, null), param);
    }

    /** The JPEG with an EXIF segment holding only an orientation tag, right after its start marker. */
    private static byte[] withOrientation(byte[] jpeg, int orientation) {
        ByteBuffer exif = ByteBuffer.allocate(2 + 2 + 6 + 8 + 2 + 12 + 4);
        exif.putShort((short) 0xFFE1).putShort((short) (exif.capacity() - 2));
        exif.put(new byte[] {'E', 'x', 'i', 'f', 0, 0});
        exif.put(new byte[] {'M', 'M', 0, 42}).putInt(8); // big-endian TIFF header, first directory at 8
        exif.putShort((short) 1); // one entry: orientation (0x0112), SHORT, count 1, value
        exif.putShort((short) 0x0112).putShort((short) 3).putInt(1).putShort((short) orientation).putShort((short) 0);
        exif.putInt(0); // no next directory
        byte[] out = new byte[jpeg.length + exif.capacity()];
        System.arraycopy(jpeg, 0, out, 0, 2);
        System.arraycopy(exif.array(), 0, out, 2, exif.capacity());
        System.arraycopy(jpeg, 2, out, 2 + exif.capacity(), jpeg.length - 2);
        return out;
    }
}
