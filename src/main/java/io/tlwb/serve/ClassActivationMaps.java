package io.tlwb.serve;

import io.tlwb.WorkbenchException;
import io.tlwb.engine.FrozenBase;
import io.tlwb.model.TransferModel;
import io.tlwb.pretrained.Preprocessing;
import java.awt.AlphaComposite;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.Arrays;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Class activation maps (Zhou et al., 2016) of a linear head on pooled features: exact and cheap. A class's logit is
 * its weights applied to the spatial mean of the cut layer's maps (after the fixed per-feature standardization, an
 * affine map that folds in), so the same weights applied at each position give a map whose mean is that logit.
 */
final class ClassActivationMaps {

    private final FrozenBase engine;
    private final int height;
    private final int width;
    private final int channels;
    /** Per feature: the standardization's scale and shift (1 and 0 without it). */
    private final float[] scale;
    private final float[] shift;
    /** {@code [channels][classes]} and {@code [classes]}. */
    private final float[][] weights;
    private final float[] bias;

    /**
     * @param head the head graph of a model (standardization, dropout, output), parameters loaded
     * @param mapShape {@code [h, w, channels]} of the cut layer's maps at the model's input size
     * @throws WorkbenchException when the head has a hidden layer: its maps would need gradients (Grad-CAM), which
     *                            this does not compute
     */
    ClassActivationMaps(FrozenBase engine, ComputationGraph head, long[] mapShape, boolean hiddenLayer) {
        if (hiddenLayer) {
            throw new WorkbenchException("class activation maps need a linear head; this model's head has a hidden "
                    + "layer (train with --hidden 0 to explain its predictions)");
        }
        this.engine = engine;
        this.height = (int) mapShape[0];
        this.width = (int) mapShape[1];
        this.channels = (int) mapShape[2];
        this.scale = new float[channels];
        this.shift = new float[channels];
        Arrays.fill(scale, 1f);
        if (head.getVertex(TransferModel.STANDARDIZE) != null) {
            float[] w = head.getLayer(TransferModel.STANDARDIZE).getParam("W").toFloatVector();
            float[] b = head.getLayer(TransferModel.STANDARDIZE).getParam("b").toFloatVector();
            System.arraycopy(w, 0, scale, 0, channels);
            System.arraycopy(b, 0, shift, 0, channels);
        }
        this.weights = head.getLayer(TransferModel.OUTPUT).getParam("W").toFloatMatrix();
        this.bias = head.getLayer(TransferModel.OUTPUT).getParam("b").toFloatVector();
    }

    /** The logit maps {@code [classes][h][w]} of one preprocessed image {@code [1, size, size, 3]}. */
    float[][][] logits(INDArray image) {
        INDArray maps = engine.maps(image);
        float[] a = maps.ravel().toFloatVector(); // NHWC: (y * width + x) * channels + k
        maps.close();
        int classes = bias.length;
        float[][][] out = new float[classes][height][width];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int at = (y * width + x) * channels;
                for (int c = 0; c < classes; c++) {
                    double sum = bias[c];
                    for (int k = 0; k < channels; k++) {
                        sum += weights[k][c] * (scale[k] * a[at + k] + shift[k]);
                    }
                    out[c][y][x] = (float) sum;
                }
            }
        }
        return out;
    }

    /**
     * The image as the model saw it with {@code map} laid over it: red where the map is high, transparent where low
     * (scaled between the map's own minimum and maximum), upsampled smoothly to the image's size.
     */
    static BufferedImage overlay(INDArray image, Preprocessing preprocessing, float[][] map) {
        int size = (int) image.size(1);
        float[] pixels = image.ravel().toFloatVector(); // [1, size, size, 3], preprocessed
        BufferedImage out = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int at = (y * size + x) * 3;
                int rgb = 0;
                for (int ch = 0; ch < 3; ch++) {
                    double value = (pixels[at + ch] - preprocessing.offset()) / preprocessing.scale();
                    rgb = (rgb << 8) | (int) Math.max(0, Math.min(255, Math.round(value)));
                }
                out.setRGB(x, y, rgb);
            }
        }
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (float[] row : map) {
            for (float v : row) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        BufferedImage heat = new BufferedImage(map[0].length, map.length, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < map.length; y++) {
            for (int x = 0; x < map[0].length; x++) {
                double t = max > min ? (map[y][x] - min) / (max - min) : 0;
                int alpha = (int) Math.round(170 * t);
                heat.setRGB(x, y, (alpha << 24) | (255 << 16) | ((int) Math.round(80 * (1 - t)) << 8));
            }
        }
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.setComposite(AlphaComposite.SrcOver);
        g.drawImage(heat, 0, 0, size, size, null);
        g.dispose();
        return out;
    }
}
