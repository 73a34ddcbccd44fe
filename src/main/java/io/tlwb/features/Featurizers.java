package io.tlwb.features;

import io.tlwb.pretrained.PretrainedModel;

/** Picks the featurizer for a base, cut layer and image size. */
public final class Featurizers {

    private Featurizers() {
    }

    public static Featurizer create(PretrainedModel base, String cutLayer, int imageSize) {
        return new GraphFeaturizer(base, cutLayer, imageSize);
    }
}
