package io.tlwb.features;

/** What a featurizer reads out of the cut layer's activation maps. */
public enum Pooling {
    /** Global average pooling: one vector of {@code channels} per image, what the head reads. */
    AVERAGE("avg"),
    /** The maps themselves, flattened in NHWC order: what fine-tuning the layers above the cut starts from. */
    NONE("none");

    private final String key;

    Pooling(String key) {
        this.key = key;
    }

    /** Part of a featurizer's cache key: pooled and unpooled rows of the same layer must never share entries. */
    String cacheKey() {
        return "pool=" + key;
    }
}
