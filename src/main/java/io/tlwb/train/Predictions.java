package io.tlwb.train;

import io.tlwb.eval.Prediction;
import io.tlwb.features.FeatureSet;
import io.tlwb.model.TestTimeAugmentation;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Runs a head graph over cached features and pairs each output row with its image and true label. */
final class Predictions {

    private Predictions() {
    }

    static List<Prediction> of(ComputationGraph head, FeatureSet set) {
        return of(head, set, TestTimeAugmentation.NONE);
    }

    /**
     * With {@link TestTimeAugmentation#FLIP} the set must hold the mirrored view as its second view (as
     * {@code FeatureExtractor} extracts it for {@code Augmentation.FLIP}); the head's outputs on both are averaged,
     * exactly what the full model gives with the same setting on the images.
     */
    static List<Prediction> of(ComputationGraph head, FeatureSet set, TestTimeAugmentation tta) {
        INDArray probabilities = head.outputSingle(false, set.features());
        if (tta != TestTimeAugmentation.NONE) {
            if (set.views().size() < 2) {
                throw new IllegalArgumentException("flip test-time augmentation needs the mirrored view's features");
            }
            probabilities = tta.combine(probabilities.dup(), head.outputSingle(false, set.views().get(1)));
        }
        List<Prediction> predictions = new ArrayList<>(set.size());
        for (int i = 0; i < set.size(); i++) {
            predictions.add(new Prediction(set.sources().get(i), set.labels()[i],
                    probabilities.getRow(i).toFloatVector()));
        }
        return predictions;
    }
}
