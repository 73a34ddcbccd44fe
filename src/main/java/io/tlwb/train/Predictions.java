package io.tlwb.train;

import io.tlwb.FloatRows;
import io.tlwb.eval.Prediction;
import io.tlwb.features.FeatureSet;
import io.tlwb.features.View;
import io.tlwb.model.TestTimeAugmentation;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Runs a head graph over cached features and pairs each output row with its image and true label. */
final class Predictions {

    private static final int CHUNK = 256;

    private Predictions() {
    }

    static List<Prediction> of(ComputationGraph head, FeatureSet set) {
        return of(head, set, TestTimeAugmentation.NONE);
    }

    /**
     * With {@link TestTimeAugmentation#FLIP} the set must hold the {@link View#MIRRORED} view (as
     * {@code FeatureExtractor} extracts it for {@code Augmentation.FLIP}); the head's outputs on both are averaged,
     * exactly what the full model gives with the same setting on the images.
     */
    static List<Prediction> of(ComputationGraph head, FeatureSet set, TestTimeAugmentation tta) {
        INDArray probabilities = output(head, set, set.features());
        if (tta != TestTimeAugmentation.NONE) {
            INDArray mirrored = set.view(View.MIRRORED).orElseThrow(() -> new IllegalArgumentException(
                    "flip test-time augmentation needs the mirrored view's features"));
            probabilities = tta.combine(probabilities, output(head, set, mirrored));
        }
        float[][] rows = FloatRows.of(probabilities);
        List<Prediction> predictions = new ArrayList<>(set.size());
        for (int i = 0; i < set.size(); i++) {
            predictions.add(new Prediction(set.sources().get(i), set.labels()[i], rows[i]));
        }
        return predictions;
    }

    /**
     * The graph's outputs on every row: pooled features in one call (the per-epoch curve runs this after every epoch),
     * activation maps in chunks (run through convolutions, they need the memory).
     */
    private static INDArray output(ComputationGraph graph, FeatureSet set, INDArray rows) {
        long rowsPerCall = set.rowShape().length == 1 ? Math.max(1, rows.rows()) : CHUNK;
        INDArray out = null;
        for (long start = 0; start < rows.rows(); start += rowsPerCall) {
            long end = Math.min(rows.rows(), start + rowsPerCall);
            INDArray chunk = graph.outputSingle(false, set.shaped(rows.get(NDArrayIndex.interval(start, end),
                    NDArrayIndex.all())));
            if (out == null) {
                out = Nd4j.create(chunk.dataType(), rows.rows(), chunk.columns());
            }
            out.get(NDArrayIndex.interval(start, end), NDArrayIndex.all()).assign(chunk);
        }
        return out;
    }
}
