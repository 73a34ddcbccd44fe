package io.tlwb.spark;

import java.io.Serializable;

/** One view of one image, featurized: what an executor sends back, keyed as the feature cache keys it. */
record FeatureRow(String sha256, String view, float[] features) implements Serializable {
}
