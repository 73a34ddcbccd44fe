package io.tlwb.features;

import io.tlwb.data.Augmentation;
import java.util.ArrayList;
import java.util.List;

/**
 * One cached view of an image: the image as it is, its mirror image, or the {@code k}-th random flip-and-rotation
 * (drawn once from {@code k}, so a warm cache replays it). The name is the view's feature cache entry.
 */
public record View(String name, boolean mirrored, int randomIndex) {

    /** The image as it is. */
    public static final View ORIGINAL = new View("orig", false, 0);
    /** The image mirrored left to right: a training view for {@code --augment flip}, and flip test-time augmentation. */
    public static final View MIRRORED = new View("flip", true, 0);

    /** How many random flip-and-rotation views {@code --augment flip-rotate} caches beside the two fixed ones. */
    static final int RANDOM_VIEWS = 2;

    /** The {@code k}-th random flipped-and-rotated view, {@code k >= 1}. */
    public static View randomFlipRotation(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("random views count from 1, got " + k);
        }
        return new View("fliprot" + k, false, k);
    }

    /** Whether this view is drawn by the random flip-and-rotate augmentation. */
    public boolean random() {
        return randomIndex > 0;
    }

    /** The views an augmentation setting trains on, the image itself first. */
    public static List<View> forAugmentation(Augmentation augmentation) {
        return switch (augmentation) {
            case NONE -> List.of(ORIGINAL);
            case FLIP -> List.of(ORIGINAL, MIRRORED);
            case FLIP_ROTATE -> {
                List<View> views = new ArrayList<>(List.of(ORIGINAL, MIRRORED));
                for (int k = 1; k <= RANDOM_VIEWS; k++) {
                    views.add(randomFlipRotation(k));
                }
                yield List.copyOf(views);
            }
        };
    }
}
