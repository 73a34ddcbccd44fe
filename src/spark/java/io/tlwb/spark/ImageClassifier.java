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
import java.util.List;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A trained model zip as a Spark ML {@link Transformer}: it adds the predicted class ({@code prediction}) and every
 * class's probability in the model card's class order ({@code probability}, {@code array<float>}) to a DataFrame of
 * encoded images ({@code content}, as Spark's {@code binaryFile} source gives it). Executors predict exactly as
 * {@code predict} and the serving API do, with the test-time augmentation the model was trained with; a row whose
 * bytes are no usable image gets nulls.
 */
public final class ImageClassifier extends Transformer {

    private static final int BATCH = 32;

    private final String uid;
    private final ShippedModel model;
    private final List<String> classes;
    private TestTimeAugmentation tta;
    private String inputCol = "content";
    private String predictionCol = "prediction";
    private String probabilityCol = "probability";

    private ImageClassifier(String uid, ShippedModel model, List<String> classes) {
        this.uid = uid;
        this.model = model;
        this.classes = classes;
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

    /** The class names, in the order of each probability array. */
    public List<String> classes() {
        return classes;
    }

    /** Test-time augmentation; default: what the model was trained with (its card). */
    public ImageClassifier setTta(TestTimeAugmentation augmentation) {
        this.tta = augmentation;
        return this;
    }

    public ImageClassifier setInputCol(String column) {
        this.inputCol = column;
        return this;
    }

    public ImageClassifier setPredictionCol(String column) {
        this.predictionCol = column;
        return this;
    }

    public ImageClassifier setProbabilityCol(String column) {
        this.probabilityCol = column;
        return this;
    }

    @Override
    public Dataset<Row> transform(Dataset<?> images) {
        ShippedModel shipped = tta == null ? model : new ShippedModel(model.zip, tta);
        return EncodedImages.transform(images, inputCol, transformSchema(images.schema()), shipped,
                ShippedModel::encodedImages, BATCH);
    }

    /** @throws IllegalArgumentException naming the column when the input is not binary or an output exists */
    @Override
    public StructType transformSchema(StructType schema) {
        EncodedImages.requireColumns(schema, inputCol, predictionCol, probabilityCol);
        return schema.add(predictionCol, DataTypes.StringType, true)
                .add(probabilityCol, DataTypes.createArrayType(DataTypes.FloatType, false), true);
    }

    @Override
    public ImageClassifier copy(ParamMap extra) {
        ImageClassifier copy = new ImageClassifier(uid, model, classes).setTta(tta).setInputCol(inputCol)
                .setPredictionCol(predictionCol).setProbabilityCol(probabilityCol);
        return copyValues(copy, extra);
    }

    @Override
    public String uid() {
        return uid;
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
                        values[i] = new Object[] {predictor.classes().get(best), FeatureRow.boxed(p)};
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
