package io.tlwb.data;

import static org.bytedeco.opencv.global.opencv_core.CV_16U;
import static org.bytedeco.opencv.global.opencv_core.CV_8U;
import static org.bytedeco.opencv.global.opencv_core.extractChannel;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_ANYCOLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_ANYDEPTH;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_COLOR_2;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_COLOR_4;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_COLOR_8;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2RGB;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGRA2RGB;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_GRAY2RGB;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;
import org.datavec.image.loader.NativeImageLoader;
import org.datavec.image.transform.ImageTransform;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DataVec's {@link NativeImageLoader} with every decoded image first made into what the model expects: 8-bit
 * (16-bit samples divided by 257), three channels in <b>RGB</b> order (OpenCV decodes BGR; grey is repeated, alpha
 * dropped), resized to {@code size x size} (area interpolation when shrinking, linear when enlarging; the aspect ratio
 * is not kept, as in Keras' {@code image_dataset_from_directory}). A JPEG much larger than that decodes at a reduced
 * scale first ({@link JpegScale}). The augmentation transform, if any, runs after that, on the small image.
 */
final class RgbImageLoader extends NativeImageLoader {

    /** OpenCV's {@code IMREAD_REDUCED_COLOR_2/4/8}: decode a JPEG at 1/2, 1/4 or 1/8 of its size, as 8-bit BGR. */
    private static final int[] REDUCED_COLOR = {0, 0, IMREAD_REDUCED_COLOR_2, 0, IMREAD_REDUCED_COLOR_4, 0, 0, 0,
            IMREAD_REDUCED_COLOR_8};

    private final int size;

    RgbImageLoader(int size, ImageTransform augmentation) {
        super(size, size, 3, augmentation);
        this.size = size;
    }

    @Override
    public INDArray asMatrix(File file, boolean nchw) throws IOException {
        return asMatrix(new ByteArrayInputStream(Files.readAllBytes(file.toPath())), nchw);
    }

    @Override
    public INDArray asMatrix(InputStream in, boolean nchw) throws IOException {
        byte[] bytes = in.readAllBytes();
        Mat image = decode(bytes);
        if (image == null) {
            return super.asMatrix(new ByteArrayInputStream(bytes), nchw);
        }
        try {
            INDArray chw = asMatrix(image);
            return nchw ? chw : chw.permute(0, 2, 3, 1);
        } finally {
            image.deallocate();
        }
    }

    /** What batched reading calls: the decoded image written into {@code view}. */
    @Override
    public void asMatrixView(InputStream in, INDArray view) throws IOException {
        byte[] bytes = in.readAllBytes();
        Mat image = decode(bytes);
        if (image == null) {
            super.asMatrixView(new ByteArrayInputStream(bytes), view);
            return;
        }
        try {
            transformImage(image, view);
        } finally {
            image.deallocate();
        }
    }

    /**
     * {@code bytes} decoded by OpenCV, a JPEG at the smallest scale still covering the target size
     * ({@link JpegScale}); null for formats OpenCV cannot read (DataVec's fallback tries those).
     */
    private Mat decode(byte[] bytes) throws IOException {
        if (bytes.length == 0) {
            throw new IOException("empty file");
        }
        int reduction = JpegScale.reduction(bytes, size);
        Mat image;
        try (Mat buffer = new Mat(bytes)) {
            image = imdecode(buffer, reduction > 1 ? REDUCED_COLOR[reduction] : IMREAD_ANYDEPTH | IMREAD_ANYCOLOR);
        }
        return image == null || image.empty() ? null : image;
    }

    /** An 8-bit RGB {@code size x size} copy of a decoded OpenCV image of 1 to 4 channels, 8 or 16 bit. */
    static Mat toRgb8(Mat image, int size) throws IOException {
        return toRgb8(image, size, size);
    }

    /** An 8-bit RGB {@code width x height} copy of a decoded OpenCV image of 1 to 4 channels, 8 or 16 bit. */
    static Mat toRgb8(Mat image, int width, int height) throws IOException {
        Mat current = image;
        if (current.depth() == CV_16U) {
            Mat eight = new Mat();
            current.convertTo(eight, CV_8U, 1.0 / 257.0, 0.0);
            current = eight;
        } else if (current.depth() != CV_8U) {
            throw new IOException("unsupported sample type (OpenCV depth " + current.depth() + ")");
        }
        Mat rgb = new Mat();
        switch (current.channels()) {
            case 1 -> cvtColor(current, rgb, COLOR_GRAY2RGB);
            case 2 -> {
                Mat grey = new Mat();
                extractChannel(current, grey, 0);
                cvtColor(grey, rgb, COLOR_GRAY2RGB);
                grey.close();
            }
            case 3 -> cvtColor(current, rgb, COLOR_BGR2RGB);
            case 4 -> cvtColor(current, rgb, COLOR_BGRA2RGB);
            default -> throw new IOException("unsupported channel count " + current.channels());
        }
        if (current != image) {
            current.close();
        }
        if (rgb.cols() == width && rgb.rows() == height) {
            return rgb;
        }
        Mat resized = new Mat();
        boolean shrinking = rgb.cols() >= width && rgb.rows() >= height;
        try (Size target = new Size(width, height)) {
            resize(rgb, resized, target, 0, 0, shrinking ? INTER_AREA : INTER_LINEAR);
        }
        rgb.close();
        return resized;
    }
}
