package io.tlwb.train;

import io.tlwb.data.Augmentation;
import io.tlwb.model.HeadConfig;
import io.tlwb.model.Updater;

/**
 * The default recipe of {@code train}, in one place: the CLI shows these as its defaults and {@code search} trains
 * them as its reference row. The Keras tutorial's recipe ({@link HeadConfig#TUTORIAL}, 10 epochs) underfits the
 * offline weights' features; these values were chosen by measurement (see the README's accuracy table).
 */
public final class TrainingDefaults {

    public static final HeadConfig HEAD = new HeadConfig(true, 0, 0.2, 0.0, Updater.ADAM, 1e-4);
    public static final int EPOCHS = 10;
    public static final int BATCH_SIZE = 32;
    public static final int IMAGE_SIZE = 160;
    public static final double VALIDATION_SPLIT = 0.2;
    public static final long SEED = 42;
    public static final Augmentation AUGMENTATION = Augmentation.NONE;

    private TrainingDefaults() {
    }
}
