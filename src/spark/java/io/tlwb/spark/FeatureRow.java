package io.tlwb.spark;

import java.io.Serializable;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * One view of one image, featurized: what an executor sends back, keyed as the feature cache keys it, with where the
 * image came from for a {@link ParquetStore} row.
 */
record FeatureRow(String sha256, String path, String className, String split, String view, float[] features)
        implements Serializable {

    /** A feature store's columns: the image, its class and split, the view, which featurizer, the features. */
    static final StructType SCHEMA = new StructType()
            .add("sha256", DataTypes.StringType, false)
            .add("path", DataTypes.StringType, false)
            .add("label", DataTypes.StringType, false)
            .add("split", DataTypes.StringType, false)
            .add("view", DataTypes.StringType, false)
            .add("featurizer", DataTypes.StringType, false)
            .add("features", DataTypes.createArrayType(DataTypes.FloatType, false), false);

    /** As a row of {@link #SCHEMA}, written by the featurizer keyed {@code featurizer}. */
    Row toRow(String featurizer) {
        return RowFactory.create(sha256, path, className, split, view, featurizer, boxed(features));
    }

    /** An {@code array<float>} column's value as features: {@link #boxed}'s inverse. */
    static float[] unboxed(List<Float> values) {
        float[] unboxed = new float[values.size()];
        for (int i = 0; i < unboxed.length; i++) {
            unboxed[i] = values.get(i);
        }
        return unboxed;
    }

    /** Features as Spark stores an {@code array<float>} column. */
    private static Float[] boxed(float[] values) {
        Float[] boxed = new Float[values.length];
        for (int i = 0; i < values.length; i++) {
            boxed[i] = values[i];
        }
        return boxed;
    }
}
