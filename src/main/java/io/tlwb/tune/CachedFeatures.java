package io.tlwb.tune;

import io.tlwb.features.FeatureSet;
import java.util.Map;
import org.deeplearning4j.arbiter.optimize.api.data.DataProvider;

/**
 * The search's data for Arbiter: pooled features of the training and validation images, per cut layer, computed
 * once before the search. The features are not serialized (Arbiter's UI only shows {@link #toString()}).
 */
final class CachedFeatures implements DataProvider {

    /** Training and validation features at one cut layer, and the engine that computed them. */
    record Split(FeatureSet train, FeatureSet validation, String engine) {
    }

    private String description;
    private transient Map<String, Split> byCutLayer;

    private CachedFeatures() {
    }

    CachedFeatures(Map<String, Split> byCutLayer, String description) {
        this.byCutLayer = Map.copyOf(byCutLayer);
        this.description = description;
    }

    Split at(String cutLayer) {
        Split split = byCutLayer == null ? null : byCutLayer.get(cutLayer);
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
