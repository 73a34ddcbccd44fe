package io.tlwb.data;

import io.tlwb.pretrained.Preprocessing;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.stream.IntStream;
import org.datavec.api.io.labels.PathLabelGenerator;
import org.datavec.api.writable.Text;
import org.datavec.api.writable.Writable;
import org.datavec.image.recordreader.ImageRecordReader;
import org.deeplearning4j.datasets.datavec.RecordReaderDataSetIterator;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.Reverse;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Turns image files into model input: DataVec's {@link ImageRecordReader} (each file labelled with its
 * {@link LabeledImage#label()}) and {@link RecordReaderDataSetIterator}, decoding with OpenCV, then
 * <ul>
 *   <li>8 bit, 3 channels, <b>RGB</b> order (grey repeated, alpha dropped, 16 bit scaled down),</li>
 *   <li>resized to {@code imageSize x imageSize},</li>
 *   <li>laid out <b>NHWC</b>: features {@code [batch, imageSize, imageSize, 3]},</li>
 *   <li>scaled by the weight source's {@link Preprocessing}: pixel {@code x} in [0, 255] becomes {@code x*scale+offset}.</li>
 * </ul>
 * Labels are one-hot {@code [batch, numClasses]}. Feed it files that {@link ImageFolders#open} accepted: a file that
 * stopped decoding since then fails the batch.
 */
public final class ImagePipeline {

    /**
     * The version of how files become pixels (decoding, colour conversion, resizing), part of every feature cache
     * key so features from another pipeline are never reused: raise it with any change that alters a pixel.
     */
    public static final int DECODING_VERSION = 2;

    /** Images with more pixels are refused before decoding, in folders and uploads alike. */
    public static final long MAX_PIXELS = ImageProbe.MAX_PIXELS;

    private final int imageSize;
    private final Preprocessing preprocessing;
    private final PixelScaler scaler;
    /**
     * One loader per thread (a loader keeps decoding buffers), so the serving API decodes on several cores. On 2 cores
     * it measured the same as one shared loader (about 165 requests/s at 32 connections, both); it scales with more.
     */
    private final ThreadLocal<RgbImageLoader> singleLoader;

    public ImagePipeline(int imageSize, Preprocessing preprocessing) {
        if (imageSize < 8 || imageSize > 1024) {
            throw new IllegalArgumentException("image size must be between 8 and 1024 pixels, got " + imageSize);
        }
        this.imageSize = imageSize;
        this.preprocessing = Objects.requireNonNull(preprocessing, "preprocessing");
        this.scaler = new PixelScaler(preprocessing);
        this.singleLoader = ThreadLocal.withInitial(() -> new RgbImageLoader(imageSize, null));
    }

    public int imageSize() {
        return imageSize;
    }

    public Preprocessing preprocessing() {
        return preprocessing;
    }

    /**
     * Batches of features {@code [b, size, size, 3]} (NHWC, RGB, preprocessing applied) and one-hot labels
     * {@code [b, numClasses]}. Without shuffling the order is that of {@code images}; with it, every epoch (a
     * {@code reset()} after at least one batch) has its own order drawn from {@code seed}. Augmentation, for training
     * only, is drawn from {@code seed} and the epoch too, so the same seed replays the same batches.
     *
     * @throws IllegalArgumentException if {@code images} is empty or a label is outside {@code [0, numClasses)}
     */
    public DataSetIterator iterator(List<LabeledImage> images, int numClasses, int batchSize, boolean shuffle,
                                    Augmentation augmentation, long seed) {
        Objects.requireNonNull(augmentation, "augmentation");
        if (images.isEmpty()) {
            throw new IllegalArgumentException("no images to iterate over");
        }
        if (numClasses < 1 || batchSize < 1) {
            throw new IllegalArgumentException("numClasses and batchSize must be >= 1, got " + numClasses + " and "
                    + batchSize);
        }
        List<String> labels = IntStream.range(0, numClasses).mapToObj(String::valueOf).toList();
        LabelsByFile labelOf = new LabelsByFile(images, numClasses);
        List<URI> uris = new ArrayList<>(images.size());
        for (LabeledImage image : images) {
            uris.add(image.file().toUri());
        }
        FlipRotateTransform transform = switch (augmentation) {
            case NONE -> null;
            case FLIP -> new FlipRotateTransform(new Random(seed), 0);
            case FLIP_ROTATE -> new FlipRotateTransform(new Random(seed), Augmentation.MAX_ROTATION_DEGREES);
        };
        EpochShuffledSplit split = new EpochShuffledSplit(uris, shuffle, seed);
        ImageRecordReader reader = new LabelledImageReader(imageSize, new RgbImageLoader(imageSize, transform), labelOf);
        reader.setLogLabelCountOnInit(false);
        try {
            reader.initialize(split);
        } catch (IOException e) {
            throw new DataException("cannot read images: " + e.getMessage(), e);
        }
        reader.setLabels(new ArrayList<>(labels));
        RecordReaderDataSetIterator rrdsi = new RecordReaderDataSetIterator(reader, batchSize, 1, numClasses);
        rrdsi.setPreProcessor(scaler);
        return new ImageBatchIterator(rrdsi, split, transform, seed, labels);
    }

    /**
     * One image as {@code [1, size, size, 3]} (NHWC, RGB, preprocessing applied), for predict.
     *
     * @throws DataException naming the file if it is missing or cannot be decoded
     */
    public INDArray load(Path file) {
        ImageProbe.Result probe = ImageProbe.probe(file);
        if (!probe.usable()) {
            throw new DataException(file + ": " + probe.problem());
        }
        INDArray nchw;
        try {
            nchw = singleLoader.get().asMatrix(file.toFile());
        } catch (IOException | RuntimeException e) {
            throw new DataException(file + ": cannot decode image: " + e.getMessage(), e);
        }
        return toInput(nchw);
    }

    /**
     * One image given as its encoded bytes (an upload), as {@code [1, size, size, 3]}: the same pixels
     * {@link #load(Path)} gives for a file with these bytes. Only JPEG, PNG, BMP, GIF and WebP are taken, because their
     * size can be read from the header and a decompression bomb refused before any decoding.
     *
     * @param source    how messages name the image
     * @param maxPixels width times height above which the image is refused unread
     * @throws ImageRejected saying why the bytes cannot be used
     */
    public INDArray load(byte[] bytes, String source, long maxPixels) {
        ImageProbe.requireUsableUpload(bytes, source, maxPixels);
        INDArray nchw;
        try {
            nchw = singleLoader.get().asMatrix(new ByteArrayInputStream(bytes));
        } catch (IOException | RuntimeException e) {
            throw new ImageRejected(ImageRejected.Reason.CORRUPT, source + ": cannot decode image: " + e.getMessage());
        }
        return toInput(nchw);
    }

    /**
     * The decoded {@code [1, 3, size, size]} image as preprocessed NHWC input. The decoded array is freed at once: a
     * server decodes thousands, and off-heap memory otherwise waits for the garbage collector.
     */
    private INDArray toInput(INDArray nchw) {
        INDArray nhwc = nchw.reshape(1, 3, imageSize, imageSize).permute(0, 2, 3, 1).dup('c');
        nchw.close();
        return scaler.apply(nhwc);
    }

    /** A horizontally flipped copy (width axis reversed) of an NHWC batch {@code [b, h, w, c]}. */
    public static INDArray flipHorizontally(INDArray nhwc) {
        if (nhwc.rank() != 4) {
            throw new IllegalArgumentException("expected an NHWC batch of rank 4, got shape "
                    + Arrays.toString(nhwc.shape()));
        }
        return Nd4j.exec(new Reverse(nhwc, 2))[0];
    }

    /**
     * Each image's label index (as DataVec's label name) by its file, whatever folder it sits in: folders and
     * manifests alike.
     */
    private static final class LabelsByFile implements PathLabelGenerator {
        private final Map<String, Integer> labels = new HashMap<>();

        LabelsByFile(List<LabeledImage> images, int numClasses) {
            for (LabeledImage image : images) {
                if (image.label() >= numClasses) {
                    throw new IllegalArgumentException("label " + image.label() + " of " + image.file()
                            + " is outside [0, " + numClasses + ")");
                }
                labels.put(key(image.file()), image.label());
            }
        }

        private static String key(Path file) {
            return file.toAbsolutePath().normalize().toString();
        }

        @Override
        public Writable getLabelForPath(String path) {
            Integer label = labels.get(key(Path.of(path)));
            if (label == null) {
                throw new IllegalStateException(path + " is not one of the images this iterator was made for");
            }
            return new Text(String.valueOf(label));
        }

        @Override
        public Writable getLabelForPath(URI uri) {
            return getLabelForPath(Path.of(uri).toString());
        }

        @Override
        public boolean inferLabelClasses() {
            return false;
        }
    }

    /** An {@link ImageRecordReader} in NHWC mode that decodes with our {@link RgbImageLoader}. */
    private static final class LabelledImageReader extends ImageRecordReader {
        LabelledImageReader(int size, RgbImageLoader loader, PathLabelGenerator labels) {
            super(size, size, 3, false, labels, null);
            this.imageLoader = loader;
        }
    }

}
