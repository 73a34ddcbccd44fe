package io.tlwb.model;

import io.tlwb.Named;
import io.tlwb.data.ImagePipeline;
import java.util.function.UnaryOperator;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * How a model's prediction for an image is formed at evaluation and prediction time.
 * {@link #FLIP} averages the class probabilities of the image and of its mirror image (width axis reversed), which
 * costs a second forward pass and changes nothing for an image that is its own mirror.
 */
public enum TestTimeAugmentation implements Named {
    /** One forward pass on the image as it is. */
    NONE("none"),
    /** The mean of the softmax outputs for the image and its horizontal mirror. */
    FLIP("flip");

    /** The key of the model card's training settings that records the setting train evaluated with. */
    public static final String CARD_KEY = "tta";

    private final String cliName;

    TestTimeAugmentation(String cliName) {
        this.cliName = cliName;
    }

    /** The name used on the command line and in model cards. */
    @Override
    public String cliName() {
        return cliName;
    }

    /** Class probabilities {@code [batch, classes]} of a preprocessed NHWC batch. */
    public INDArray output(ComputationGraph graph, INDArray nhwc) {
        return output(images -> graph.outputSingle(false, images), nhwc);
    }

    /** As {@link #output(ComputationGraph, INDArray)}, with the model as a function of NHWC batches. */
    public INDArray output(UnaryOperator<INDArray> model, INDArray nhwc) {
        if (this == NONE) {
            return model.apply(nhwc);
        }
        INDArray flipped = ImagePipeline.flipHorizontally(nhwc);
        INDArray combined;
        if (nhwc.size(0) == 1) {
            // one image (a served request): both views in one batch, which the engine runs one per core, side by
            // side, rather than one after the other with the cores meeting inside each
            INDArray both = Nd4j.concat(0, nhwc, flipped);
            INDArray out = model.apply(both);
            both.close();
            combined = combine(out.getRow(0, true), out.getRow(1, true));
        } else {
            // a larger batch keeps every core busy on its own, and doubling it would double a graph's activations
            INDArray first = model.apply(nhwc).dup(); // a graph's output may be workspace memory the next call reuses
            combined = combine(first, model.apply(flipped));
            first.close();
        }
        flipped.close(); // ours, and as large as the batch: freed now rather than by the garbage collector
        return combined;
    }

    /**
     * Combines the probabilities of the plain images with those of their mirrors ({@code mirrored} is ignored for
     * {@link #NONE}); used where both are already computed, e.g. from cached features of both views.
     */
    public INDArray combine(INDArray plain, INDArray mirrored) {
        return this == NONE ? plain : plain.add(mirrored).divi(2);
    }

    /** The setting called {@code name} ({@code none} or {@code flip}, case-insensitive). */
    public static TestTimeAugmentation parse(String name) {
        return Named.parse(TestTimeAugmentation.class, name, "test-time augmentation");
    }

    @Override
    public String toString() {
        return cliName;
    }
}
