package io.tlwb.pipeline;

import io.tlwb.data.Augmentation;
import io.tlwb.model.TestTimeAugmentation;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How images become features: the input size, the training views cached per image, and the validation views test-time
 * augmentation needs. Validated on construction.
 *
 * @param imageSize    square size images are resized to
 * @param augmentation training views (cached), one per image per epoch
 * @param tta          how validation predictions are formed (and, through the model card, later predictions)
 */
public record FeatureSpec(int imageSize, Augmentation augmentation, TestTimeAugmentation tta) {

    public FeatureSpec {
        if (imageSize < 32 || imageSize > 1024) {
            throw new IllegalArgumentException("--image-size must be between 32 and 1024 pixels, got " + imageSize);
        }
        Objects.requireNonNull(augmentation, "augmentation");
        Objects.requireNonNull(tta, "tta");
    }

    /** The validation views: the image, and its mirror when test-time augmentation averages both. */
    public Augmentation validationViews() {
        return tta == TestTimeAugmentation.FLIP ? Augmentation.FLIP : Augmentation.NONE;
    }

    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("imageSize", imageSize);
        m.put("augmentation", augmentation.cliName());
        m.put(TestTimeAugmentation.CARD_KEY, tta.cliName());
        return m;
    }
}
