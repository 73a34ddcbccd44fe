package io.tlwb.spark;

import static org.apache.spark.ml.functions.array_to_vector;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import io.tlwb.features.MinibatchIterator;
import io.tlwb.features.TrainingRows;
import io.tlwb.features.View;
import io.tlwb.model.FeatureStatistics;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.stat.Summarizer;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The training split's features streamed from a feature store to the head, a Spark partition at a time, instead of
 * held on the driver: for datasets whose features do not fit its memory. The rows stay on the executors (cached
 * there once); each epoch, Spark draws one view per image and a new order, both from the seed and the epoch, and the
 * driver turns the rows into minibatches as they arrive. The order differs from the in-memory path's, so the figures
 * differ by what a different shuffle changes.
 */
final class StreamedRows implements TrainingRows {

    private final Dataset<Row> rows; // sha256, view, label (int), features: the training images' rows, cached
    private final List<View> views;
    private final int size;
    private final int featureSize;
    private final int numClasses;

    /**
     * @param rows   the training images' rows: {@code sha256}, {@code view}, {@code label} (class index) and
     *               {@code features}, every view of {@code views} for each image
     * @param size   training images
     */
    StreamedRows(Dataset<Row> rows, List<View> views, int size, int featureSize, int numClasses) {
        this.rows = rows;
        this.views = List.copyOf(views);
        this.size = size;
        this.featureSize = featureSize;
        this.numClasses = numClasses;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public int featureSize() {
        return featureSize;
    }

    @Override
    public int numClasses() {
        return numClasses;
    }

    /** Computed by the executors: each feature's mean and sample standard deviation over the original views. */
    @Override
    public FeatureStatistics statistics() {
        Row summary = rows.where(col("view").equalTo(View.ORIGINAL.name()))
                .select(array_to_vector(col("features")).as("v"))
                .select(Summarizer.metrics("mean", "variance").summary(col("v")).as("s"))
                .select("s.mean", "s.variance").first();
        double[] mean = summary.<Vector>getAs(0).toArray();
        double[] std = summary.<Vector>getAs(1).toArray();
        for (int i = 0; i < std.length; i++) {
            std[i] = Math.sqrt(std[i]);
        }
        return new FeatureStatistics(Nd4j.createFromArray(mean).castTo(DataType.FLOAT),
                Nd4j.createFromArray(std).castTo(DataType.FLOAT));
    }

    @Override
    public MinibatchIterator batches(int batchSize, long seed) {
        return new Batches(batchSize, seed);
    }

    /** One epoch's rows in their drawn order: one view per image, chosen and ordered by hashes of seed and epoch. */
    private Iterator<Row> epoch(long seed, int epoch) {
        Column viewIndex = lit(0);
        for (int v = views.size() - 1; v > 0; v--) {
            viewIndex = when(col("view").equalTo(views.get(v).name()), lit(v)).otherwise(viewIndex);
        }
        Column drawn = pmod(xxhash64(col("sha256"), lit(seed), lit(epoch)), lit(views.size()));
        return rows.where(viewIndex.equalTo(drawn))
                .orderBy(xxhash64(col("sha256"), lit(seed), lit(epoch), lit("order")), col("sha256"))
                .select("label", "features").toLocalIterator();
    }

    /** Minibatches over {@link #epoch}s; each reset starts the next epoch. */
    private final class Batches extends MinibatchIterator {

        private final long seed;
        private int epoch;
        private Iterator<Row> current;

        Batches(int batchSize, long seed) {
            super(batchSize, featureSize, numClasses);
            this.seed = seed;
        }

        private Iterator<Row> current() {
            if (current == null) {
                current = epoch(seed, epoch);
            }
            return current;
        }

        @Override
        public boolean hasNext() {
            return current().hasNext();
        }

        @Override
        protected DataSet nextBatch(int num) {
            float[][] x = new float[num][];
            float[][] y = new float[num][];
            int n = 0;
            while (n < num && current().hasNext()) {
                Row row = current().next();
                x[n] = FeatureRow.unboxed(row.getList(1));
                y[n] = new float[numClasses];
                y[n][row.getInt(0)] = 1f;
                n++;
            }
            return new DataSet(Nd4j.createFromArray(Arrays.copyOf(x, n)), Nd4j.createFromArray(Arrays.copyOf(y, n)));
        }

        @Override
        public void reset() {
            epoch++;
            current = null;
        }
    }
}
