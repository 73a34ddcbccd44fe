package io.tlwb.eval;

/**
 * What the model said about one evaluated image.
 *
 * @param source        where the image came from (a file path), for galleries and reports
 * @param trueLabel     index of the true class
 * @param probabilities softmax output over the classes
 */
public record Prediction(String source, int trueLabel, float[] probabilities) {

    public int predictedLabel() {
        return argmax(probabilities);
    }

    /** The index of the largest value, the first on ties: the predicted class of a probability vector. */
    public static int argmax(float[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }

    public boolean correct() {
        return predictedLabel() == trueLabel;
    }

    /** Cross-entropy of this image, clipped like Keras so a zero probability gives a large finite loss. */
    public double loss() {
        return -Math.log(Math.max(probabilities[trueLabel], Evaluator.EPSILON));
    }
}
