package io.tlwb.pretrained;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Checks an imported model numerically against outputs TensorFlow.js computed for the same weights on the same
 * inputs ({@code src/test/node/reference.js}): the full {@code out_relu} tensor of the first image, the spatial mean
 * of {@code out_relu} and the softmax of every image, for each spec with a reference ({@link #hasReference}).
 * {@code weights verify} runs it.
 */
public final class ReferenceCheck {
    /** Largest absolute difference accepted on any compared value (measured: about 5e-4 on out_relu). */
    public static final double TOLERANCE = 1e-3;
    private static final Map<String, String> REFERENCES = Map.of(
            WeightSources.NSFWJS_SPEC, "nsfwjs-4.4.0-reference.json",
            WeightSources.MID_SPEC, "nsfwjs-4.4.0-mobilenet_v2_mid-reference.json");

    private ReferenceCheck() {
    }

    /**
     * The outcome of a check: the largest absolute differences found.
     *
     * @param spec               the checked spec
     * @param images             how many reference images were run
     * @param maxDiffOutRelu     over the full out_relu tensor of image 0 (7x7x1280)
     * @param maxDiffOutReluMean over the per-channel spatial mean of out_relu, all images
     * @param maxDiffSoftmax     over the class probabilities, all images (NaN if the model has no such top)
     * @param tolerance          the accepted maximum
     */
    public record Result(String spec, int images, double maxDiffOutRelu, double maxDiffOutReluMean,
                         double maxDiffSoftmax, double tolerance) {
        public boolean passed() {
            return maxDiffOutRelu <= tolerance && maxDiffOutReluMean <= tolerance
                    && (Double.isNaN(maxDiffSoftmax) || maxDiffSoftmax <= tolerance);
        }

        /** One line per figure, e.g. for the CLI. */
        public String render() {
            return String.format(Locale.ROOT, """
                    reference check of %s against TensorFlow.js (%d images, tolerance %.0e)
                      out_relu (full tensor, image 0)  max |diff| = %.3e
                      out_relu spatial mean            max |diff| = %.3e
                      softmax                          max |diff| = %.3e
                    %s""", spec, images, tolerance, maxDiffOutRelu, maxDiffOutReluMean, maxDiffSoftmax,
                    passed() ? "PASSED" : "FAILED");
        }
    }

    /** Whether a TF.js reference exists for {@code spec}. */
    public static boolean hasReference(String spec) {
        return REFERENCES.containsKey(spec);
    }

    /**
     * Runs the reference inputs through {@code model} and compares.
     *
     * @throws WeightsException if there is no reference for the model's spec
     */
    public static Result verify(PretrainedModel model) {
        String resource = REFERENCES.get(model.spec());
        if (resource == null) {
            throw new WeightsException("no TF.js reference outputs for " + model.spec() + ": verify knows "
                    + REFERENCES.keySet() + "; check other weights with `weights info`");
        }
        JsonNode ref = readReference(resource);
        int size = ref.get("inputSize").asInt();
        Preprocessing pre = Preprocessing.named(ref.get("preprocessing").asText());
        String cut = ref.get("bottleneckLayer").asText();
        ComputationGraph graph = model.graph();
        String outputName = graph.getConfiguration().getNetworkOutputs().get(0);
        double full = 0;
        double mean = 0;
        double soft = Double.NaN;
        JsonNode images = ref.get("images");
        for (int k = 0; k < images.size(); k++) {
            JsonNode image = images.get(k);
            Map<String, INDArray> acts = graph.feedForward(input(k, size, pre), false);
            INDArray bottleneck = acts.get(cut).castTo(DataType.FLOAT);
            if (image.has("outReluF32LE")) {
                full = Math.max(full, maxAbsDiff(bottleneck.data().asFloat(), decode(image.get("outReluF32LE"))));
            }
            float[] gap = bottleneck.mean(1, 2).data().asFloat();
            mean = Math.max(mean, maxAbsDiff(gap, floats(image.get("outReluMean"))));
            INDArray out = acts.get(outputName);
            float[] expected = floats(image.get("softmax"));
            if (out != null && out.length() == expected.length) {
                soft = Math.max(Double.isNaN(soft) ? 0 : soft, maxAbsDiff(out.castTo(DataType.FLOAT).data().asFloat(),
                        expected));
            }
        }
        return new Result(model.spec(), images.size(), full, mean, soft, TOLERANCE);
    }

    /** Pattern names, in image order; see {@link #pixel}. */
    static final List<String> PATTERNS = List.of("modular", "gradient", "checker");

    /**
     * Pixel value in [0, 255] of reference pattern {@code k} at row {@code y}, column {@code x}, channel {@code c}.
     * Integer arithmetic only, identical to {@code pixel()} in {@code src/test/node/reference.js}.
     */
    static int pixel(int k, int size, int y, int x, int c) {
        return switch (k) {
            case 0 -> (x * 7 + y * 13 + c * 61) % 256;
            case 1 -> c == 0 ? 255 * (x + y) / (2 * (size - 1))
                    : c == 1 ? 255 * x / (size - 1) : 255 * (size - 1 - y) / (size - 1);
            case 2 -> ((x / 16 + y / 16) % 2 == 0 ? 230 : 25) - c * 10;
            default -> throw new IllegalArgumentException("no reference pattern " + k);
        };
    }

    /** Reference image {@code k} as an NHWC batch of one, scaled by {@code pre}. */
    static INDArray input(int k, int size, Preprocessing pre) {
        float[] data = new float[size * size * 3];
        int i = 0;
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                for (int c = 0; c < 3; c++) {
                    data[i++] = pre.apply(pixel(k, size, y, x, c));
                }
            }
        }
        return Nd4j.create(data, new long[]{1, size, size, 3}, 'c');
    }

    static JsonNode readReference(String resource) {
        try (InputStream in = ReferenceCheck.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new WeightsException("reference outputs " + resource + " are missing from the classpath: "
                        + "regenerate them with `cd src/test/node && npm ci && npm run reference`");
            }
            return KerasConfigs.JSON.readTree(in);
        } catch (IOException e) {
            throw new WeightsException("cannot read reference outputs " + resource + " (" + KerasH5.oneLine(e) + ")", e);
        }
    }

    private static float[] decode(JsonNode base64) {
        ByteBuffer b = ByteBuffer.wrap(Base64.getDecoder().decode(base64.asText())).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[b.remaining() / 4];
        b.asFloatBuffer().get(out);
        return out;
    }

    private static float[] floats(JsonNode arr) {
        float[] out = new float[arr.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) arr.get(i).asDouble();
        }
        return out;
    }

    static double maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) {
            return Double.POSITIVE_INFINITY;
        }
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            double d = Math.abs((double) a[i] - b[i]);
            if (!(d <= m)) {
                m = d; // also takes NaN
            }
        }
        return m;
    }
}
