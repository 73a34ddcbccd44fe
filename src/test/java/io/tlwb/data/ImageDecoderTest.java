package io.tlwb.data;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_core.absdiff;
import static org.bytedeco.opencv.global.opencv_core.mean;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;
import static org.bytedeco.opencv.global.opencv_imgproc.GaussianBlur;
import static org.bytedeco.opencv.global.opencv_imgproc.circle;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;
import org.junit.jupiter.api.Test;

class ImageDecoderTest {

    @Test
    void jpegReductionIsTheLargestScaleKeepingBothSidesAtLeastTheInput() {
        assertEquals(2, ImageDecoder.jpegReduction(500, 375, 160));
        assertEquals(1, ImageDecoder.jpegReduction(500, 375, 224));
        assertEquals(8, ImageDecoder.jpegReduction(4000, 3000, 224));
        assertEquals(4, ImageDecoder.jpegReduction(1000, 750, 160));
        assertEquals(2, ImageDecoder.jpegReduction(640, 319, 160)); // libjpeg rounds up: 160 rows at a half
        assertEquals(1, ImageDecoder.jpegReduction(640, 318, 160));
        assertEquals(1, ImageDecoder.jpegReduction(100, 80, 160));
    }

    @Test
    void aLargeJpegDecodesReducedToNearlyTheFullDecodingsPixels() throws Exception {
        byte[] jpeg = encode(photoLike(750, 1000), ".jpg");
        Mat reduced = ImageDecoder.decodeForSide(jpeg, 160);
        assertArrayEquals(new int[] {250, 188}, new int[] {reduced.cols(), reduced.rows()}, "a quarter, rounded up");
        Mat fast = RgbImageLoader.toRgb8(reduced, 160);
        Mat full = RgbImageLoader.toRgb8(ImageDecoder.decode(jpeg), 160);
        Mat difference = new Mat();
        absdiff(fast, full, difference);
        Scalar perChannel = mean(difference);
        for (int c = 0; c < 3; c++) {
            assertTrue(perChannel.get(c) < 1.5, "mean difference of channel " + c + ": " + perChannel.get(c));
        }
    }

    @Test
    void otherFormatsAndSmallJpegsDecodeWhole() throws Exception {
        Mat image = photoLike(375, 500);
        for (byte[] bytes : new byte[][] {encode(image, ".png"), encode(image, ".jpg")}) {
            Mat decoded = ImageDecoder.decodeForSide(bytes, 224);
            assertArrayEquals(new int[] {500, 375}, new int[] {decoded.cols(), decoded.rows()});
        }
        Mat png = ImageDecoder.decodeForSide(encode(image, ".png"), 160);
        assertEquals(500, png.cols(), "only JPEGs have scaled decoding");
    }

    /** Smooth shapes over a gradient with a little blurred noise: what a downscaled photo's spectrum looks like. */
    private static Mat photoLike(int rows, int cols) {
        Mat image = new Mat(rows, cols, CV_8UC3);
        byte[] pixels = new byte[rows * cols * 3];
        Random random = new Random(3);
        for (int y = 0; y < rows; y++) {
            for (int x = 0; x < cols; x++) {
                int at = (y * cols + x) * 3;
                pixels[at] = (byte) (255 * x / cols);
                pixels[at + 1] = (byte) (255 * y / rows);
                pixels[at + 2] = (byte) (96 + random.nextInt(64));
            }
        }
        image.data().put(pixels);
        for (int k = 0; k < 12; k++) {
            circle(image, new Point(random.nextInt(cols), random.nextInt(rows)), 20 + random.nextInt(rows / 4),
                    new Scalar(random.nextInt(256), random.nextInt(256), random.nextInt(256), 0), -1, 16, 0);
        }
        GaussianBlur(image, image, new Size(5, 5), 0);
        return image;
    }

    private static byte[] encode(Mat image, String extension) {
        try (BytePointer buffer = new BytePointer()) {
            assertTrue(imencode(extension, image, buffer));
            byte[] bytes = new byte[(int) buffer.limit()];
            buffer.get(bytes);
            return bytes;
        }
    }
}
