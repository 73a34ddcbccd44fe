package io.tlwb.spark;

import io.tlwb.AtomicFiles;
import io.tlwb.data.ImagePipeline;
import io.tlwb.model.SavedModel;
import io.tlwb.model.TestTimeAugmentation;
import io.tlwb.serve.Predictor;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A trained model zip as a Spark ML {@link Transformer}: it adds the predicted class ({@code prediction}) and every
 * class's probability in the model card's class order ({@code probability}, an ML {@code Vector}) to a DataFrame of
 * encoded images ({@code content}, as Spark's {@code binaryFile} source gives it). Executors predict exactly as
 * {@code predict} and the serving API do, with the test-time augmentation the model was trained with; a row whose
 * bytes are no usable image gets nulls.
 */
public final class ImageClassifier extends Transformer implements MLWritable {

    private static final int BATCH = 32;

    private final String uid;
    private final ShippedModel model;
    private final List<String> classes;
    private final Param<String> inputCol;
    private final Param<String> predictionCol;
    private final Param<String> probabilityCol;
    private final Param<String> tta;

    private ImageClassifier(String uid, ShippedModel model, List<String> classes) {
        this.uid = uid;
        this.model = model;
        this.classes = List.copyOf(classes);
        this.inputCol = new Param<>(uid, "inputCol", "the binary column holding encoded images");
        this.predictionCol = new Param<>(uid, "predictionCol", "the predicted class column added");
        this.probabilityCol = new Param<>(uid, "probabilityCol", "the column of every class's probability added");
        this.tta = new Param<>(uid, "tta", "test-time augmentation: none or flip; unset, the model's own");
        setDefault(inputCol, "content");
        setDefault(predictionCol, "prediction");
        setDefault(probabilityCol, "probability");
    }

    /** The model saved at {@code zip} by {@code train} or {@code search}. */
    public static ImageClassifier load(Path zip) {
        List<String> classes = SavedModel.load(zip).card().classes();
        try {
            return new ImageClassifier(Identifiable.randomUID("tlwbImageClassifier"),
                    new ShippedModel(Files.readAllBytes(zip), null), classes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + zip, e);
        }
    }

    /** The class names, in the order of each probability vector. */
    public List<String> classes() {
        return classes;
    }

    /** The binary column holding encoded images. Default: {@code content}. */
    public Param<String> inputCol() {
        return inputCol;
    }

    /** The predicted class's name. Default: {@code prediction}. */
    public Param<String> predictionCol() {
        return predictionCol;
    }

    /** Every class's probability, an ML {@code Vector} in {@link #classes()} order. Default: {@code probability}. */
    public Param<String> probabilityCol() {
        return probabilityCol;
    }

    /** Test-time augmentation ({@code none} or {@code flip}); unset, what the model was trained with (its card). */
    public Param<String> tta() {
        return tta;
    }

    public ImageClassifier setTta(TestTimeAugmentation augmentation) {
        set(tta, augmentation.name().toLowerCase(Locale.ROOT));
        return this;
    }

    public ImageClassifier setInputCol(String column) {
        set(inputCol, column);
        return this;
    }

    public ImageClassifier setPredictionCol(String column) {
        set(predictionCol, column);
        return this;
    }

    public ImageClassifier setProbabilityCol(String column) {
        set(probabilityCol, column);
        return this;
    }

    @Override
    public Dataset<Row> transform(Dataset<?> images) {
        ShippedModel shipped = isDefined(tta)
                ? new ShippedModel(model.zip, TestTimeAugmentation.valueOf(getOrDefault(tta).toUpperCase(Locale.ROOT)))
                : model;
        return EncodedImages.transform(images, getOrDefault(inputCol), transformSchema(images.schema()), shipped,
                ShippedModel::encodedImages, BATCH);
    }

    /** @throws IllegalArgumentException naming the column when the input is not binary or an output exists */
    @Override
    public StructType transformSchema(StructType schema) {
        EncodedImages.requireColumns(schema, getOrDefault(inputCol), getOrDefault(predictionCol),
                getOrDefault(probabilityCol));
        return schema.add(getOrDefault(predictionCol), DataTypes.StringType, true)
                .add(getOrDefault(probabilityCol), SQLDataTypes.VectorType(), true);
    }

    @Override
    public ImageClassifier copy(ParamMap extra) {
        return copyValues(new ImageClassifier(uid, model, classes), extra);
    }

    @Override
    public String uid() {
        return uid;
    }

    /** Saves it as Spark ML saves its own stages (so a {@code PipelineModel} holding it saves too): params and zip. */
    @Override
    public MLWriter write() {
        return StageFiles.writer(this, model.zip, new ArrayList<>(classes));
    }

    /** Reads what {@link #write()} saved ({@code ImageClassifier.read().load(path)}, or through a PipelineModel). */
    @SuppressWarnings("unchecked")
    public static MLReader<ImageClassifier> read() {
        return StageFiles.reader(ImageClassifier.class, 2, (uid, values) ->
                new ImageClassifier(uid, new ShippedModel((byte[]) values[0], null), (List<String>) values[1]));
    }

    /** The model zip as executors receive it, written once per executor JVM, loaded once per task thread. */
    static final class ShippedModel implements Serializable {
        private final byte[] zip;
        private final TestTimeAugmentation tta;
        private transient volatile ThreadLocal<Predictor> predictors;

        /** @param tta test-time augmentation, or null for the model's own */
        ShippedModel(byte[] zip, TestTimeAugmentation tta) {
            this.zip = zip;
            this.tta = tta;
        }

        /** How this model predicts encoded images: decoded as {@code predict} decodes them, on this thread's model. */
        EncodedImages.Computation encodedImages() {
            Predictor predictor = predictors().get();
            return new EncodedImages.Computation() {
                @Override
                public INDArray decode(byte[] bytes) {
                    return predictor.decode(bytes, "row", ImagePipeline.MAX_PIXELS);
                }

                @Override
                public Object[][] compute(INDArray batch) {
                    float[][] probabilities = predictor.probabilities(batch);
                    Object[][] values = new Object[probabilities.length][];
                    for (int i = 0; i < probabilities.length; i++) {
                        float[] p = probabilities[i];
                        int best = 0;
                        for (int k = 1; k < p.length; k++) {
                            best = p[k] > p[best] ? k : best;
                        }
                        values[i] = new Object[] {predictor.classes().get(best), Vectors.dense(Nd4j.createFromArray(p).toDoubleVector())};
                    }
                    return values;
                }
            };
        }

        private ThreadLocal<Predictor> predictors() {
            ThreadLocal<Predictor> local = predictors;
            if (local == null) {
                synchronized (this) {
                    if (predictors == null) {
                        Path file = unpacked();
                        // a model per thread: a predictor is for one caller at a time, and so is a DL4J graph
                        predictors = ThreadLocal.withInitial(() -> {
                            SavedModel model = SavedModel.load(file);
                            return tta == null ? new Predictor(model) : new Predictor(model, tta);
                        });
                    }
                    local = predictors;
                }
            }
            return local;
        }

        /** The zip as a file on this executor (the loader reads files), deleted when the JVM exits. */
        private Path unpacked() {
            try {
                Path file = Files.createTempFile("tlwb-model-", ".zip");
                file.toFile().deleteOnExit();
                AtomicFiles.write(file, zip);
                return file;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the shipped model on this executor", e);
            }
        }
    }
}
