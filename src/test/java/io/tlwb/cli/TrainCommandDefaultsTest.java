package io.tlwb.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.tlwb.data.Augmentation;
import io.tlwb.model.HeadConfig;
import io.tlwb.model.TestTimeAugmentation;
import io.tlwb.model.Updater;
import io.tlwb.train.FineTuning;
import io.tlwb.train.TrainingDefaults;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class TrainCommandDefaultsTest {

    @Test
    void defaultFlagsAreTheTunedHeadThirtyEpochsAndFlipTestTimeAugmentation() {
        TrainCommand train = new TrainCommand();
        new CommandLine(train).parseArgs();
        HeadConfig head = new HeadConfig(train.standardize, train.hidden, train.dropout, train.l2,
                train.updater, train.learningRate);
        assertEquals(TrainingDefaults.HEAD, head);
        assertEquals(new HeadConfig(true, 0, 0.2, 0.1, Updater.ADAM, 3e-3), head);
        assertEquals(30, train.epochs);
        assertEquals(32, train.batchSize);
        assertEquals(160, train.dataOptions.imageSize);
        assertEquals(Augmentation.NONE, train.dataOptions.augment);
        assertEquals(TestTimeAugmentation.FLIP, train.dataOptions.tta);
        assertNull(train.cutLayer.layer, "the cut layer defaults per weight source (PretrainedModel.defaultCutLayer)");
        assertEquals(FineTuning.AUTO, train.fineTuneFrom, "fine-tuning decided by the data");
        assertEquals(false, train.noFineTune);
    }
}
