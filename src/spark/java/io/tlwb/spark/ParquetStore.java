package io.tlwb.spark;

import static org.apache.spark.sql.functions.col;

import io.tlwb.WorkbenchException;
import io.tlwb.data.ImageDataset;
import io.tlwb.data.LabeledImage;
import io.tlwb.features.FeatureCache;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

/**
 * Features kept as Parquet rows ({@link FeatureRow#SCHEMA}) at a local path or any Hadoop filesystem URI, so that a
 * dataset featurized once on a cluster is never featurized again: rows are keyed by image content (sha256), view and
 * featurizer (its full cache key: weights, cut layer, size, pooling, decoding), so one store can hold several
 * configurations and renamed or moved images are still found. Rows are appended by the executors that compute them,
 * a chunk of images per Spark job: a killed job loses at most its own uncommitted chunk, and a rerun computes only
 * what no committed chunk holds.
 */
final class ParquetStore {

    /**
     * Images per append job and task slot, and the fewest per job: what a killed job can lose, against one job's
     * fixed cost (scheduling, the Parquet commit), which a large cluster would otherwise pay once a few images.
     */
    private static final int CHUNK_IMAGES_PER_SLOT = 256;
    private static final int MIN_CHUNK_IMAGES = 2048;

    /** Images per append job on a cluster of {@code taskSlots}. */
    static int chunkImages(int taskSlots) {
        return Math.max(MIN_CHUNK_IMAGES, CHUNK_IMAGES_PER_SLOT * taskSlots);
    }

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
     * @return the rows it put, as {@link #key} names them
     */
    Set<String> loadInto(String featurizer, Set<String> wanted, FeatureCache cache) {
        Set<String> loaded = new HashSet<>();
        if (!exists()) {
            return loaded;
        }
        Iterator<Row> rows = rowsOf(featurizer, wanted).select("sha256", "view", "features").toLocalIterator();
        while (rows.hasNext()) {
            Row row = rows.next();
            cache.put(row.getString(0), row.getString(1), FeatureRow.unboxed(row.getList(2)));
            loaded.add(key(row.getString(0), row.getString(1)));
        }
        return loaded;
    }

    /** The rows of {@code featurizer} the store holds for the images in {@code wanted}, as {@link #key} names them. */
    Set<String> keys(String featurizer, Set<String> wanted) {
        Set<String> keys = new HashSet<>();
        if (exists()) {
            rowsOf(featurizer, wanted).select("sha256", "view").toLocalIterator()
                    .forEachRemaining(row -> keys.add(key(row.getString(0), row.getString(1))));
        }
        return keys;
    }

    /** Only the wanted images' rows, selected on the executors: the store may hold many datasets. */
    private Dataset<Row> rowsOf(String featurizer, Set<String> wanted) {
        Dataset<Row> images = spark.createDataset(new ArrayList<>(wanted), Encoders.STRING()).toDF("sha256");
        return rowsOf(featurizer).join(images, "sha256", "left_semi");
    }

    /** Every row of {@code featurizer}. */
    private Dataset<Row> rowsOf(String featurizer) {
        return spark.read().schema(FeatureRow.SCHEMA).parquet(location).where(col("featurizer").equalTo(featurizer));
    }

    /**
     * The images the store holds rows for, with the classes and splits they were featurized with, ordered as a folder
     * scan orders them (by class, then file name), so training from the store alone replays a run on the folder.
     *
     * @throws WorkbenchException naming the store when it is empty, lacks a split, or lists one path under two
     *                            classes or splits (rows of different datasets: train with --data then)
     */
    ImageDataset dataset() {
        if (!exists()) {
            throw new WorkbenchException("--features " + location + ": the store holds no rows yet; fill it with "
                    + "featurize --data DIR --spark MASTER --out " + location + ", or give --data DIR");
        }
        Map<String, Row> byPath = new HashMap<>();
        for (Row row : spark.read().schema(FeatureRow.SCHEMA).parquet(location)
                .select("path", "sha256", "label", "split").distinct().collectAsList()) {
            Row known = byPath.putIfAbsent(row.getString(0), row);
            if (known != null && !known.equals(row)) {
                throw new WorkbenchException("--features " + location + ": " + row.getString(0) + " is stored as "
                        + known.getString(2) + "/" + known.getString(3) + " and as " + row.getString(2) + "/"
                        + row.getString(3) + " (rows of different datasets): train with --data DIR");
            }
        }
        List<String> classes = byPath.values().stream().filter(row -> row.getString(3).equals("train"))
                .map(row -> row.getString(2)).distinct().sorted().toList();
        List<LabeledImage> train = images(byPath, "train", classes);
        List<LabeledImage> validation = images(byPath, "validation", classes);
        if (classes.size() < 2 || validation.isEmpty()) {
            throw new WorkbenchException("--features " + location + ": the store holds " + classes.size()
                    + " class(es) with training rows and " + validation.size() + " validation rows; training needs "
                    + "two classes and a validation split: featurize the whole folder into it, or give --data DIR");
        }
        return new ImageDataset(java.nio.file.Path.of(location), classes, train, validation, List.of());
    }

    private List<LabeledImage> images(Map<String, Row> byPath, String split, List<String> classes) {
        List<LabeledImage> images = new ArrayList<>();
        for (Row row : byPath.values()) {
            if (row.getString(3).equals(split)) {
                int label = classes.indexOf(row.getString(2));
                if (label < 0) {
                    throw new WorkbenchException("--features " + location + ": validation class '" + row.getString(2)
                            + "' has no training rows: featurize the whole folder into the store, or give --data DIR");
                }
                images.add(new LabeledImage(java.nio.file.Path.of(row.getString(0)), label, row.getString(1)));
            }
        }
        images.sort(Comparator.comparingInt(LabeledImage::label)
                .thenComparing(image -> image.file().getFileName().toString())
                .thenComparing(image -> image.file().toString()));
        return images;
    }

    /**
     * The rows of {@code featurizer} for {@code images}, each with its image's class index as {@code label}:
     * {@code sha256}, {@code view}, {@code label}, {@code features}, one per image and view (a row stored twice counts
     * once), cached on the executors for the epochs to come.
     */
    Dataset<Row> trainingRows(String featurizer, List<LabeledImage> images) {
        List<Row> index = images.stream().map(image -> RowFactory.create(image.sha256(), image.label())).toList();
        Dataset<Row> labels = spark.createDataFrame(index, new StructType()
                .add("sha256", DataTypes.StringType, false).add("label", DataTypes.IntegerType, false));
        return rowsOf(featurizer)
                .select("sha256", "view", "features")
                .dropDuplicates("sha256", "view")
                .join(labels, "sha256")
                .select("sha256", "view", "label", "features")
                .persist(StorageLevel.MEMORY_AND_DISK());
    }

    /** How {@link #loadInto} names a row: an image's content and view. */
    static String key(String sha256, String view) {
        return sha256 + "/" + view;
    }

    /** Appends {@code rows}, computed by the executors as this job runs, as one committed chunk. */
    void append(String featurizer, JavaRDD<FeatureRow> rows) {
        spark.createDataFrame(rows.map(row -> row.toRow(featurizer)), FeatureRow.SCHEMA)
                .write().mode(SaveMode.Append).parquet(location);
    }
}
