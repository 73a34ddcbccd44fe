package io.tlwb.train;

import io.tlwb.eval.Prediction;
import io.tlwb.features.FeatureSet;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Runs a head graph over cached features and pairs each output row with its image and true label. */
final class Predictions {

    private Predictions() {
    }

    static List<Prediction> of(ComputationGraph head, FeatureSet set) {
        INDArray probabilities = head.outputSingle(false, set.features());
        List<Prediction> predictions = new ArrayList<>(set.size());
        for (int i = 0; i < set.size(); i++) {
            predictions.add(new Prediction(set.sources().get(i), set.labels()[i],
                    probabilities.getRow(i).toFloatVector()));
        }
        return predictions;
    }
}
