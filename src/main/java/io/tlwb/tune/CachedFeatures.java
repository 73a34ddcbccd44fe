package io.tlwb.tune;

import io.tlwb.pipeline.FeatureSplits;
import java.util.Map;
import org.deeplearning4j.arbiter.optimize.api.data.DataProvider;

/**
 * The search's data for Arbiter: pooled features of the training and validation images, per cut layer, computed
 * once before the search. The features are not serialized (Arbiter's UI only shows {@link #toString()}).
 */
final class CachedFeatures implements DataProvider {

    private String description;
    private transient Map<String, FeatureSplits> byCutLayer;

    private CachedFeatures() {
    }

    CachedFeatures(Map<String, FeatureSplits> byCutLayer, String description) {
        this.byCutLayer = Map.copyOf(byCutLayer);
        this.description = description;
    }

    FeatureSplits at(String cutLayer) {
        FeatureSplits split = byCutLayer == null ? null : byCutLayer.get(cutLayer);
        if (split == null) {
            throw new IllegalStateException("no cached features for cut layer " + cutLayer);
        }
        return split;
    }

    @Override
    public Object trainData(Map<String, Object> dataParameters) {
        return byCutLayer;
    }

    @Override
    public Object testData(Map<String, Object> dataParameters) {
        return byCutLayer;
    }

    @Override
    public Class<?> getDataType() {
        return Map.class;
    }

    @Override
    public String toString() {
        return description;
    }
}
