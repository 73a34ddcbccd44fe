package io.tlwb.data;

import static org.bytedeco.opencv.global.opencv_core.CV_16UC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC;
import static org.bytedeco.opencv.global.opencv_core.absdiff;
import static org.bytedeco.opencv.global.opencv_core.sumElems;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2RGB;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGRA2RGB;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_GRAY2RGB;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.bytedeco.opencv.opencv_core.Mat;
import org.datavec.image.loader.NativeImageLoader;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;
import org.junit.jupiter.api.Test;

class RgbImageLoaderTest {

    /** The reference order: channels converted at full size, then resized. */
    private static Mat convertThenResize(Mat image, int code, int size) {
        Mat rgb = new Mat();
        cvtColor(image, rgb, code);
        Mat out = new Mat();
        boolean shrinking = rgb.cols() >= size && rgb.rows() >= size;
        resize(rgb, out, new Size(size, size), 0, 0, shrinking ? INTER_AREA : INTER_LINEAR);
        return out;
    }

    private static Mat random(int rows, int cols, int type) {
        Mat m = new Mat(rows, cols, type);
        byte[] bytes = new byte[(int) (m.total() * m.elemSize())];
        new java.util.Random(rows * 31L + cols).nextBytes(bytes);
        m.data().put(bytes);
        return m;
    }

    private static double difference(Mat a, Mat b) {
        Mat d = new Mat();
        absdiff(a, b, d);
        Scalar s = sumElems(d);
        return s.get(0) + s.get(1) + s.get(2) + s.get(3);
    }

    @Test
    void shrinkingBeforeConvertingChangesNoPixel() throws Exception {
        int[][] shapes = {{375, 500}, {200, 300}, {100, 60}, {160, 160}, {120, 400}};
        int[][] kinds = {{3, COLOR_BGR2RGB}, {4, COLOR_BGRA2RGB}, {1, COLOR_GRAY2RGB}};
        for (int[] shape : shapes) {
            for (int[] kind : kinds) {
                Mat image = random(shape[0], shape[1], CV_8UC(kind[0]));
                Mat expected = convertThenResize(image, kind[1], 160);
                Mat actual = RgbImageLoader.toRgb8(image, 160);
                assertEquals(3, actual.channels());
                assertEquals(0.0, difference(expected, actual),
                        shape[0] + "x" + shape[1] + " with " + kind[0] + " channels");
            }
        }
    }

    @Test
    void sixteenBitSamplesAreScaledBeforeResizing() throws Exception {
        Mat wide = random(300, 200, CV_16UC1);
        Mat eight = new Mat();
        wide.convertTo(eight, org.bytedeco.opencv.global.opencv_core.CV_8U, 1.0 / 257.0, 0.0);
        assertEquals(0.0, difference(convertThenResize(eight, COLOR_GRAY2RGB, 160), RgbImageLoader.toRgb8(wide, 160)));
    }

    /** DataVec's own pixel-by-pixel copy, the reference. */
    private static final class DataVecFill extends NativeImageLoader {
        void fill(Mat image, INDArray into) {
            super.fillNDArray(image, into);
        }
    }

    @Test
    void fillingTheArrayGivesDataVecsValuesInBatchViewsAndWholeArrays() {
        RgbImageLoader loader = new RgbImageLoader(160, null);
        DataVecFill reference = new DataVecFill();
        for (int channels : new int[] {3, 1}) {
            Mat image = random(37, 53, CV_8UC(channels));
            INDArray batch = Nd4j.rand(DataType.FLOAT, 4, channels, 37, 53);
            INDArray expected = batch.dup();
            loader.fillNDArray(image, batch.tensorAlongDimension(2, 1, 2, 3));
            reference.fill(image, expected.tensorAlongDimension(2, 1, 2, 3));
            assertEquals(expected, batch, channels + " channels, the third image of a batch; the others untouched");
            INDArray whole = Nd4j.create(DataType.FLOAT, channels, 37, 53);
            INDArray wholeExpected = whole.dup();
            loader.fillNDArray(image, whole);
            reference.fill(image, wholeExpected);
            assertEquals(wholeExpected, whole, channels + " channels, a whole array");
        }
    }
}
