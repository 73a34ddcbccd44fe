package io.tlwb.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.tlwb.data.Augmentation;
import io.tlwb.model.HeadConfig;
import io.tlwb.model.TestTimeAugmentation;
import io.tlwb.model.Updater;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class TrainCommandDefaultsTest {

    @Test
    void defaultFlagsAreTheTunedHeadThirtyEpochsAndFlipTestTimeAugmentation() {
        TrainCommand train = new TrainCommand();
        new CommandLine(train).parseArgs();
        HeadConfig head = new HeadConfig(!train.noStandardize, train.hidden, train.dropout, train.l2,
                Updater.parse(train.updater), train.learningRate);
        assertEquals(HeadConfig.DEFAULT, head);
        assertEquals(30, train.epochs);
        assertEquals(32, train.batchSize);
        assertEquals(160, train.imageSize);
        assertEquals(Augmentation.NONE, Augmentation.parse(train.augment));
        assertEquals(TestTimeAugmentation.FLIP, TestTimeAugmentation.parse(train.tta));
        assertNull(train.cutLayer, "the cut layer defaults per weight source (TransferModel.defaultCutLayer)");
    }
}
