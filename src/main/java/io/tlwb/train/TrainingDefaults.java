package io.tlwb.train;

import io.tlwb.data.Augmentation;
import io.tlwb.model.HeadConfig;
import io.tlwb.model.TestTimeAugmentation;
import io.tlwb.model.Updater;

/**
 * The default recipe of {@code train}, in one place: the CLI shows these as its defaults and {@code search} and
 * {@code bench} train them. The Keras tutorial's recipe ({@link HeadConfig#TUTORIAL}, 10 epochs) underfits the offline
 * weights' features; these were chosen by measurement on hymenoptera over 3 seeds (see the README's accuracy table):
 * standardized features, dropout 0.2, a linear classifier with L2 0.1, Adam at 3e-3 for 30 epochs on cached features,
 * and flip test-time augmentation. The cut layer defaults per weight source ({@code PretrainedModel.defaultCutLayer}).
 */
public final class TrainingDefaults {

    public static final HeadConfig HEAD = new HeadConfig(true, 0, 0.2, 0.1, Updater.ADAM, 3e-3);
    public static final int EPOCHS = 30;
    public static final int BATCH_SIZE = 32;
    public static final int IMAGE_SIZE = 160;
    public static final double VALIDATION_SPLIT = 0.2;
    public static final long SEED = 42;
    public static final Augmentation AUGMENTATION = Augmentation.NONE;
    public static final TestTimeAugmentation TTA = TestTimeAugmentation.FLIP;
    /** The best measured fine-tuning schedule (README): 4 epochs at 3e-5, a tenth of the head's rate or less. */
    public static final int FINE_TUNE_EPOCHS = 4;
    public static final double FINE_TUNE_LEARNING_RATE = 3e-5;

    private TrainingDefaults() {
    }
}
