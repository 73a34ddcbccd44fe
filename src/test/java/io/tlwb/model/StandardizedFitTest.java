package io.tlwb.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

class StandardizedFitTest {

    private static final HeadConfig CONFIG = new HeadConfig(true, 0, 0.2, 0.1, Updater.ADAM, 3e-3);

    @Test
    void trainingTheSplitHeadOnStandardizedFeaturesGivesTheWholeHeadsParameters() {
        HeadSpec spec = new HeadSpec("cut", 12, List.of("a", "b", "c"), CONFIG, 5);
        Nd4j.getRandom().setSeed(3);
        INDArray features = Nd4j.rand(DataType.FLOAT, 40, 12).muli(7).addi(2);
        INDArray labels = Nd4j.zeros(DataType.FLOAT, 40, 3);
        for (int i = 0; i < 40; i++) {
            labels.putScalar(i, i % 3, 1);
        }
        ComputationGraph whole = spec.newHeadGraph(features);
        StandardizedFit split = StandardizedFit.of(spec, spec.newHeadGraph(features));
        assertFalse(split.trainable().getConfiguration().getVertices().containsKey(TransferModel.STANDARDIZE));
        for (int step = 0; step < 5; step++) { // dropout draws from the same seeded generator in both
            Nd4j.getRandom().setSeed(100 + step);
            whole.fit(new DataSet(features, labels));
            Nd4j.getRandom().setSeed(100 + step);
            split.trainable().fit(new DataSet(split.standardized(features), labels));
        }
        assertArrayEquals(whole.params().toFloatVector(), split.headWith(split.trainable()).params().toFloatVector());
    }

    @Test
    void aHeadWithoutStandardizationTrainsAsItIs() {
        HeadConfig plain = new HeadConfig(false, 0, 0.2, 0.0, Updater.ADAM, 1e-3);
        HeadSpec spec = new HeadSpec("cut", 4, List.of("a", "b"), plain, 1);
        INDArray features = Nd4j.rand(DataType.FLOAT, 3, 4);
        ComputationGraph head = spec.newHeadGraph(features);
        StandardizedFit split = StandardizedFit.of(spec, head);
        assertSame(head, split.trainable());
        assertSame(features, split.standardized(features));
    }
}
