package io.tlwb.spark;

import static org.apache.spark.sql.functions.col;

import io.tlwb.WorkbenchException;
import io.tlwb.features.FeatureCache;
import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * Features kept as Parquet rows ({@link FeatureRow#SCHEMA}) at a local path or any Hadoop filesystem URI, so that a
 * dataset featurized once on a cluster is never featurized again: rows are keyed by image content (sha256), view and
 * featurizer (its full cache key: weights, cut layer, size, pooling, decoding), so one store can hold several
 * configurations and renamed or moved images are still found. Rows are appended by the executors that compute them,
 * a chunk of images per Spark job: a killed job loses at most its own uncommitted chunk, and a rerun computes only
 * what no committed chunk holds.
 */
final class ParquetStore {

    /** Images per append job: what a killed job can lose, against one job's start-up cost. */
    static final int CHUNK_IMAGES = 2048;

    private final SparkSession spark;
    private final String location;

    ParquetStore(SparkSession spark, String location) {
        this.spark = spark;
        this.location = location;
    }

    String location() {
        return location;
    }

    /** Whether the store holds any committed rows yet. */
    boolean exists() {
        try {
            Path path = new Path(location);
            FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
            return fs.exists(path);
        } catch (IOException e) {
            throw new WorkbenchException("--features " + location + ": cannot reach the store: " + e.getMessage(), e);
        }
    }

    /**
     * Puts the stored rows of {@code featurizer} for the images in {@code wanted} (sha256) into {@code cache}.
     *
     * @return how many rows it put
     */
    long loadInto(String featurizer, Set<String> wanted, FeatureCache cache) {
        if (!exists()) {
            return 0;
        }
        Iterator<Row> rows = spark.read().schema(FeatureRow.SCHEMA).parquet(location)
                .where(col("featurizer").equalTo(featurizer))
                .select("sha256", "view", "features").toLocalIterator();
        long loaded = 0;
        while (rows.hasNext()) {
            Row row = rows.next();
            String sha256 = row.getString(0);
            if (wanted.contains(sha256)) {
                List<Float> values = row.getList(2);
                float[] features = new float[values.size()];
                for (int i = 0; i < features.length; i++) {
                    features[i] = values.get(i);
                }
                cache.put(sha256, row.getString(1), features);
                loaded++;
            }
        }
        return loaded;
    }

    /** Appends {@code rows}, computed by the executors as this job runs, as one committed chunk. */
    void append(String featurizer, JavaRDD<FeatureRow> rows) {
        spark.createDataFrame(rows.map(row -> row.toRow(featurizer)), FeatureRow.SCHEMA)
                .write().mode(SaveMode.Append).parquet(location);
    }
}
