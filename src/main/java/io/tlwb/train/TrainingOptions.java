package io.tlwb.train;

import io.tlwb.data.Augmentation;
import io.tlwb.model.HeadConfig;
import io.tlwb.model.TestTimeAugmentation;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Everything that shapes a training run besides the base model. Validated on construction.
 *
 * @param data            the image folder
 * @param validationSplit fraction held out per class when the folder has no validation split of its own
 * @param imageSize       square size images are resized to
 * @param cutLayer        the base layer the head reads, or null for the base's bottleneck
 * @param modelOut        where to save the model, or null for a fresh file under {@code models/}
 * @param overwrite       whether {@code modelOut} may replace an existing file
 * @param metricsJson     an extra copy of the metrics, or null
 * @param tta             how validation predictions are formed (and, through the model card, later predictions)
 * @param fineTuning      a second stage retraining the base's top layers, or null for none
 */
public record TrainingOptions(Path data, double validationSplit, int imageSize, String cutLayer, HeadConfig head,
                              int epochs, int batchSize, long seed, Augmentation augmentation, Path modelOut,
                              boolean overwrite, Path metricsJson, TestTimeAugmentation tta, FineTuning fineTuning) {

    public TrainingOptions {
        if (!(validationSplit > 0 && validationSplit < 1)) {
            throw new IllegalArgumentException("--validation-split must be between 0 and 1, got " + validationSplit);
        }
        if (imageSize < 32 || imageSize > 1024) {
            throw new IllegalArgumentException("--image-size must be between 32 and 1024 pixels, got " + imageSize);
        }
        if (epochs < 1 || epochs > 10_000) {
            throw new IllegalArgumentException("--epochs must be between 1 and 10000, got " + epochs);
        }
        if (batchSize < 1 || batchSize > 4096) {
            throw new IllegalArgumentException("--batch-size must be between 1 and 4096, got " + batchSize);
        }
        Objects.requireNonNull(tta, "tta");
    }

    /** Options without fine-tuning. */
    public TrainingOptions(Path data, double validationSplit, int imageSize, String cutLayer, HeadConfig head,
                           int epochs, int batchSize, long seed, Augmentation augmentation, Path modelOut,
                           boolean overwrite, Path metricsJson, TestTimeAugmentation tta) {
        this(data, validationSplit, imageSize, cutLayer, head, epochs, batchSize, seed, augmentation, modelOut,
                overwrite, metricsJson, tta, null);
    }

    /** Options without test-time augmentation or fine-tuning. */
    public TrainingOptions(Path data, double validationSplit, int imageSize, String cutLayer, HeadConfig head,
                           int epochs, int batchSize, long seed, Augmentation augmentation, Path modelOut,
                           boolean overwrite, Path metricsJson) {
        this(data, validationSplit, imageSize, cutLayer, head, epochs, batchSize, seed, augmentation, modelOut,
                overwrite, metricsJson, TestTimeAugmentation.NONE);
    }

    /** The configuration as written to the run folder and the model card. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("data", data.toAbsolutePath().normalize().toString());
        m.put("validationSplit", validationSplit);
        m.put("imageSize", imageSize);
        m.put("cutLayer", cutLayer);
        m.put("head", head);
        m.put("epochs", epochs);
        m.put("batchSize", batchSize);
        m.put("seed", seed);
        m.put("augmentation", augmentation.cliName());
        m.put(TestTimeAugmentation.CARD_KEY, tta.cliName());
        m.put("fineTuning", fineTuning == null ? null : fineTuning.toMap());
        return m;
    }
}
