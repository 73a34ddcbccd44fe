package io.tlwb.data;

import static org.bytedeco.opencv.global.opencv_core.CV_16U;
import static org.bytedeco.opencv.global.opencv_core.CV_32F;
import static org.bytedeco.opencv.global.opencv_core.CV_32FC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8U;
import static org.bytedeco.opencv.global.opencv_core.extractChannel;
import static org.bytedeco.opencv.global.opencv_core.split;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2RGB;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGRA2RGB;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_GRAY2RGB;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import java.io.IOException;
import java.io.InputStream;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.indexer.FloatIndexer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.MatVector;
import org.bytedeco.opencv.opencv_core.Size;
import org.datavec.image.loader.NativeImageLoader;
import org.datavec.image.transform.ImageTransform;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * DataVec's {@link NativeImageLoader} decoding with {@link ImageDecoder#decodeForSide} (a JPEG twice the input size or
 * more at a libjpeg scale), with every decoded image then made into what the model expects: 8-bit
 * (16-bit samples divided by 257), three channels in <b>RGB</b> order (OpenCV decodes BGR; grey is repeated, alpha
 * dropped), resized to {@code size x size} (area interpolation when shrinking, linear when enlarging; the aspect ratio
 * is not kept, as in Keras' {@code image_dataset_from_directory}). The augmentation transform, if any, runs after that,
 * on the small image.
 */
final class RgbImageLoader extends NativeImageLoader {

    private final int size;

    RgbImageLoader(int size, ImageTransform augmentation) {
        super(size, size, 3, augmentation);
        this.size = size;
    }

    /** As DataVec's, with the image decoded by {@link ImageDecoder} for this size (GIFs too, which OpenCV cannot). */
    @Override
    public INDArray asMatrix(InputStream in, boolean nchw) throws IOException {
        try (Mat image = decoded(in)) {
            INDArray matrix = asMatrix(image);
            return nchw ? matrix : matrix.permute(0, 2, 3, 1);
        }
    }

    /** As DataVec's, with the image decoded by {@link ImageDecoder}: the batch path of {@code ImageRecordReader}. */
    @Override
    public void asMatrixView(InputStream in, INDArray view) throws IOException {
        try (Mat image = decoded(in)) {
            asMatrixView(image, view);
        }
    }

    private Mat decoded(InputStream in) throws IOException {
        Mat image = ImageDecoder.decodeForSide(in.readAllBytes(), size);
        if (image == null || image.empty()) {
            throw new IOException("Could not decode image from input stream");
        }
        return image;
    }

    @Override
    protected INDArray transformImage(Mat image, INDArray ret) throws IOException {
        Mat rgb = toRgb8(image, size);
        return super.transformImage(rgb, ret);
    }

    /**
     * As DataVec's: the 8-bit image's channels as planes of floats in {@code ret} ({@code [channels, rows, cols]}
     * values, any leading ones). DataVec copies pixel by pixel through Java indexers, a quarter of the decoding
     * thread's time; here OpenCV splits and converts the planes and one ND4J copy writes them into {@code ret}. Other
     * sample types and buffers go to DataVec's.
     */
    @Override
    protected void fillNDArray(Mat image, INDArray ret) {
        int rows = image.rows();
        int cols = image.cols();
        int channels = image.channels();
        if (image.depth() != CV_8U || ret.dataType() != DataType.FLOAT
                || ret.length() != (long) rows * cols * channels) {
            super.fillNDArray(image, ret);
            return;
        }
        long plane = (long) rows * cols;
        try (Mat planes = new Mat(rows * channels, cols, CV_32FC1); MatVector split = new MatVector()) {
            split(image, split);
            for (int c = 0; c < channels; c++) {
                try (Mat into = planes.rowRange(c * rows, (c + 1) * rows)) {
                    split.get(c).convertTo(into, CV_32F);
                }
            }
            FloatPointer values = new FloatPointer(planes.data()).capacity(plane * channels);
            DataBuffer buffer = Nd4j.createBuffer(values, DataType.FLOAT, plane * channels, FloatIndexer.create(values));
            ret.assign(Nd4j.create(buffer, ret.shape(), Nd4j.getStrides(ret.shape(), 'c'), 0, 'c', DataType.FLOAT));
        }
    }

    /** An 8-bit RGB {@code size x size} copy of a decoded OpenCV image of 1 to 4 channels, 8 or 16 bit. */
    static Mat toRgb8(Mat image, int size) throws IOException {
        return toRgb8(image, size, size);
    }

    /**
     * An 8-bit RGB {@code width x height} copy of a decoded OpenCV image of 1 to 4 channels, 8 or 16 bit. Resizing
     * and the channel conversion each act on every channel alone, so their order does not change a pixel (checked on
     * every test and development photo): it shrinks first and enlarges last, so the conversion touches the smaller
     * image (a sixth of the pipeline's time on 500 px photos).
     */
    static Mat toRgb8(Mat image, int width, int height) throws IOException {
        Mat current = image;
        if (current.depth() == CV_16U) {
            Mat eight = new Mat();
            current.convertTo(eight, CV_8U, 1.0 / 257.0, 0.0);
            current = eight;
        } else if (current.depth() != CV_8U) {
            throw new IOException("unsupported sample type (OpenCV depth " + current.depth() + ")");
        }
        boolean shrinking = (long) width * height < (long) current.cols() * current.rows();
        if (shrinking) {
            current = replace(current, image, resized(current, width, height));
        }
        current = replace(current, image, rgb(current));
        if (current.cols() != width || current.rows() != height) {
            current = replace(current, image, resized(current, width, height));
        }
        return current;
    }

    /** {@code next}, closing {@code previous} unless it is the caller's {@code original}. */
    private static Mat replace(Mat previous, Mat original, Mat next) {
        if (previous != original) {
            previous.close();
        }
        return next;
    }

    private static Mat rgb(Mat image) throws IOException {
        Mat rgb = new Mat();
        switch (image.channels()) {
            case 1 -> cvtColor(image, rgb, COLOR_GRAY2RGB);
            case 2 -> {
                Mat grey = new Mat();
                extractChannel(image, grey, 0);
                cvtColor(grey, rgb, COLOR_GRAY2RGB);
                grey.close();
            }
            case 3 -> cvtColor(image, rgb, COLOR_BGR2RGB);
            case 4 -> cvtColor(image, rgb, COLOR_BGRA2RGB);
            default -> throw new IOException("unsupported channel count " + image.channels());
        }
        return rgb;
    }

    /** Area interpolation when shrinking on both axes, linear otherwise. */
    private static Mat resized(Mat image, int width, int height) {
        Mat resized = new Mat();
        boolean smaller = image.cols() >= width && image.rows() >= height;
        try (Size target = new Size(width, height)) {
            resize(image, resized, target, 0, 0, smaller ? INTER_AREA : INTER_LINEAR);
        }
        return resized;
    }
}
