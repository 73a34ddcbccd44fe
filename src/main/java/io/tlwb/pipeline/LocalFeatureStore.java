package io.tlwb.pipeline;

import io.tlwb.Workspace;
import io.tlwb.data.ImageDataset;
import io.tlwb.data.ImagePipeline;
import io.tlwb.features.FeatureCache;
import io.tlwb.features.FeatureExtractor;
import io.tlwb.features.FeatureSet;
import io.tlwb.features.Featurizer;
import io.tlwb.features.Featurizers;
import io.tlwb.features.Pooling;
import io.tlwb.pretrained.PretrainedModel;
import java.io.PrintStream;
import java.io.PrintWriter;

/** Features computed on this machine (the engine, or the DL4J graph it falls back to) and cached under models/. */
public final class LocalFeatureStore implements FeatureStore {

    /** Images per engine call when featurizing: the engine's concern, not the head's batch size. */
    public static final int FEATURIZE_BATCH = 32;

    private final Workspace workspace;
    private final PrintWriter out;
    private final PrintStream progress;

    /**
     * @param out      where it says what runs the base
     * @param progress where progress bars go (stderr on the command line), or null for none
     */
    public LocalFeatureStore(Workspace workspace, PrintWriter out, PrintStream progress) {
        this.workspace = workspace;
        this.out = out;
        this.progress = progress;
    }

    @Override
    public FeatureSplits featurize(PretrainedModel base, FeatureSpec spec, String layer, Pooling pooling,
                                   ImageDataset data) {
        return featurize(base, spec, layer, pooling, data, null);
    }

    @Override
    public FeatureSplits featurize(PretrainedModel base, FeatureSpec spec, String layer, Pooling pooling,
                                   ImageDataset data, String alsoMapsAt) {
        Featurizer featurizer = Featurizers.create(base, layer, spec.imageSize(), pooling);
        FeatureExtractor extractor = extractor(featurizer, base, spec, layer);
        if (alsoMapsAt != null) {
            Featurizer maps = Featurizers.create(base, alsoMapsAt, spec.imageSize(), Pooling.NONE);
            extractor = extractor.withCompanion(new FeatureExtractor.Companion(maps,
                    new FeatureCache(workspace.featureCacheDir(), maps.cacheKey())));
        }
        return new FeatureSplits(
                extractor.extract("train", data.train(), data.numClasses(), spec.augmentation()),
                extractor.extract("validation", data.validation(), data.numClasses(), spec.validationViews()),
                featurizer.engine());
    }

    /** The validation split's features alone (for a store that streams the training split's). */
    public FeatureSet featurizeValidation(PretrainedModel base, FeatureSpec spec, String layer, Pooling pooling,
                                          ImageDataset data) {
        Featurizer featurizer = Featurizers.create(base, layer, spec.imageSize(), pooling);
        return extractor(featurizer, base, spec, layer).extract("validation", data.validation(), data.numClasses(),
                spec.validationViews());
    }

    private FeatureExtractor extractor(Featurizer featurizer, PretrainedModel base, FeatureSpec spec, String layer) {
        out.printf("frozen base up to %s runs on: %s%n", layer, featurizer.engine());
        return new FeatureExtractor(featurizer, new ImagePipeline(spec.imageSize(), base.preprocessing()),
                new FeatureCache(workspace.featureCacheDir(), featurizer.cacheKey()), FEATURIZE_BATCH, progress);
    }
}
