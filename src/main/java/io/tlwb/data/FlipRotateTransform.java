package io.tlwb.data;

import static org.bytedeco.opencv.global.opencv_core.BORDER_REFLECT_101;
import static org.bytedeco.opencv.global.opencv_core.flip;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.getRotationMatrix2D;
import static org.bytedeco.opencv.global.opencv_imgproc.warpAffine;

import java.util.Random;
import org.bytedeco.javacv.OpenCVFrameConverter;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Point2f;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.datavec.image.data.ImageWritable;
import org.datavec.image.transform.BaseImageTransform;

/**
 * The training augmentation as a DataVec transform: a horizontal flip with probability 1/2 and, when
 * {@code maxDegrees > 0}, a rotation about the centre by a uniform angle in {@code ±maxDegrees} (borders reflected, so
 * no black corners). Randomness comes from the transform's {@link Random}, which the iterator reseeds every epoch.
 */
final class FlipRotateTransform extends BaseImageTransform<Mat> {

    private final double maxDegrees;

    FlipRotateTransform(Random random, double maxDegrees) {
        super(random);
        this.maxDegrees = maxDegrees;
        this.converter = new OpenCVFrameConverter.ToMat();
    }

    @Override
    protected ImageWritable doTransform(ImageWritable image, Random random) {
        if (image == null) {
            return null;
        }
        Mat mat = converter.convert(image.getFrame());
        boolean flipIt = random.nextBoolean();
        double angle = maxDegrees > 0 ? (random.nextDouble() * 2 - 1) * maxDegrees : 0;
        Mat result = mat;
        if (flipIt) {
            Mat flipped = new Mat();
            flip(result, flipped, 1);
            result = flipped;
        }
        if (angle != 0) {
            Mat rotated = new Mat();
            try (Point2f centre = new Point2f(result.cols() / 2f, result.rows() / 2f);
                 Mat m = getRotationMatrix2D(centre, angle, 1.0)) {
                warpAffine(result, rotated, m, result.size(), INTER_LINEAR, BORDER_REFLECT_101, new Scalar());
            }
            result = rotated;
        }
        return new ImageWritable(converter.convert(result));
    }

    @Override
    public float[] query(float... coordinates) {
        throw new UnsupportedOperationException("FlipRotateTransform does not map coordinates");
    }
}
