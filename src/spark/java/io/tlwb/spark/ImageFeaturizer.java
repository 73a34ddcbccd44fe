package io.tlwb.spark;

import io.tlwb.features.Pooling;
import io.tlwb.model.GraphSurgery;
import io.tlwb.pipeline.LocalFeatureStore;
import io.tlwb.pretrained.PretrainedModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * The frozen base as a Spark ML {@link Transformer}, for pipelines that already live in Spark: it adds a column of
 * pooled features (an ML {@code Vector}, so Spark ML's estimators such as {@code LogisticRegression} take it as it
 * is) to a DataFrame of encoded images, such as Spark's {@code binaryFile} source
 * gives ({@code content}). Executors decode and featurize exactly as {@code train} does on one machine (the same
 * image pipeline and engine, compiled once per task thread); a row whose bytes are not a usable image gets null.
 *
 * <pre>{@code
 * Dataset<Row> images = spark.read().format("binaryFile").option("recursiveFileLookup", "true").load(dir);
 * Dataset<Row> withFeatures = ImageFeaturizer.of(base, "out_relu", 160).transform(images);
 * }</pre>
 */
public final class ImageFeaturizer extends Transformer implements MLWritable {

    private final String uid;
    private final ExecutorBase base;
    private final int featureSize;
    private final Param<String> inputCol;
    private final Param<String> outputCol;

    private ImageFeaturizer(String uid, ExecutorBase base, int featureSize) {
        this.uid = uid;
        this.base = base;
        this.featureSize = featureSize;
        this.inputCol = new Param<>(uid, "inputCol", "the binary column holding encoded images");
        this.outputCol = new Param<>(uid, "outputCol", "the features column added");
        setDefault(inputCol, "content");
        setDefault(outputCol, "features");
    }

    /** The base cut at {@code cutLayer}, on {@code imageSize}-pixel images, average-pooled. */
    public static ImageFeaturizer of(PretrainedModel base, String cutLayer, int imageSize) {
        return new ImageFeaturizer(Identifiable.randomUID("tlwbImageFeaturizer"),
                ExecutorBase.of(base, cutLayer, imageSize, Pooling.AVERAGE, 0),
                GraphSurgery.channelsAt(base, cutLayer));
    }

    /** The binary column holding encoded images. Default: {@code content}. */
    public Param<String> inputCol() {
        return inputCol;
    }

    /** The column added. Default: {@code features}. */
    public Param<String> outputCol() {
        return outputCol;
    }

    public ImageFeaturizer setInputCol(String column) {
        set(inputCol, column);
        return this;
    }

    public ImageFeaturizer setOutputCol(String column) {
        set(outputCol, column);
        return this;
    }

    /** Values in each features vector: the cut layer's channels. */
    public int featureSize() {
        return featureSize;
    }

    @Override
    public Dataset<Row> transform(Dataset<?> images) {
        return EncodedImages.transform(images, getOrDefault(inputCol), transformSchema(images.schema()), base,
                ExecutorBase::encodedImages, LocalFeatureStore.FEATURIZE_BATCH);
    }

    /**
     * @throws IllegalArgumentException naming the column when the input is missing or not binary, or the output
     *                                  already exists
     */
    @Override
    public StructType transformSchema(StructType schema) {
        EncodedImages.requireColumns(schema, getOrDefault(inputCol), getOrDefault(outputCol));
        return schema.add(getOrDefault(outputCol), SQLDataTypes.VectorType(), true);
    }

    @Override
    public ImageFeaturizer copy(ParamMap extra) {
        return copyValues(new ImageFeaturizer(uid, base, featureSize), extra);
    }

    @Override
    public String uid() {
        return uid;
    }

    /** Saves it as Spark ML saves its own stages (so a {@code PipelineModel} holding it saves too): params and base. */
    @Override
    public MLWriter write() {
        return StageFiles.writer(this, featureSize, base);
    }

    /** Reads what {@link #write()} saved ({@code ImageFeaturizer.read().load(path)}, or through a PipelineModel). */
    public static MLReader<ImageFeaturizer> read() {
        return StageFiles.reader(ImageFeaturizer.class, 2,
                (uid, values) -> new ImageFeaturizer(uid, (ExecutorBase) values[1], (int) values[0]));
    }
}
