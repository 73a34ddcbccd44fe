package io.tlwb.spark;

import io.tlwb.AtomicFiles;
import io.tlwb.data.ImagePipeline;
import io.tlwb.data.ImageRejected;
import io.tlwb.model.SavedModel;
import io.tlwb.serve.Predictor;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

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
                    new ShippedModel(Files.readAllBytes(zip)), classes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + zip, e);
        }
    }

    /** The class names, in the order of each probability array. */
    public List<String> classes() {
        return classes;
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
        StructType schema = transformSchema(images.schema());
        int content = images.schema().fieldIndex(inputCol);
        JavaSparkContext context = JavaSparkContext.fromSparkContext(images.sparkSession().sparkContext());
        Broadcast<ShippedModel> shipped = context.broadcast(model);
        JavaRDD<Row> rows = images.toDF().javaRDD().mapPartitions(part -> shipped.value().predict(part, content));
        return images.sparkSession().createDataFrame(rows, schema);
    }

    /** @throws IllegalArgumentException naming the column when the input is not binary or an output exists */
    @Override
    public StructType transformSchema(StructType schema) {
        List<String> names = Arrays.asList(schema.fieldNames());
        if (!names.contains(inputCol) || !schema.apply(inputCol).dataType().equals(DataTypes.BinaryType)) {
            throw new IllegalArgumentException("input column '" + inputCol + "' must hold encoded images (binary), as "
                    + "spark.read().format(\"binaryFile\") gives in 'content'; columns: " + schema.simpleString());
        }
        for (String output : List.of(predictionCol, probabilityCol)) {
            if (names.contains(output)) {
                throw new IllegalArgumentException("output column '" + output + "' already exists: rename it");
            }
        }
        return schema.add(predictionCol, DataTypes.StringType, true)
                .add(probabilityCol, DataTypes.createArrayType(DataTypes.FloatType, false), true);
    }

    @Override
    public ImageClassifier copy(ParamMap extra) {
        ImageClassifier copy = new ImageClassifier(uid, model, classes).setInputCol(inputCol)
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
        private transient volatile ThreadLocal<Predictor> predictors;

        ShippedModel(byte[] zip) {
            this.zip = zip;
        }

        Iterator<Row> predict(Iterator<Row> rows, int content) {
            Predictor predictor = predictors().get();
            List<Row> out = new ArrayList<>();
            List<Row> batch = new ArrayList<>(BATCH);
            while (rows.hasNext()) {
                batch.add(rows.next());
                if (batch.size() == BATCH || !rows.hasNext()) {
                    out.addAll(predict(predictor, batch, content));
                    batch.clear();
                }
            }
            return out.iterator();
        }

        private static List<Row> predict(Predictor predictor, List<Row> batch, int content) {
            List<INDArray> decoded = new ArrayList<>();
            int[] position = new int[batch.size()];
            for (int i = 0; i < batch.size(); i++) {
                position[i] = -1;
                byte[] bytes = batch.get(i).isNullAt(content) ? null : (byte[]) batch.get(i).get(content);
                if (bytes != null) {
                    try {
                        decoded.add(predictor.decode(bytes, "row", ImagePipeline.MAX_PIXELS));
                        position[i] = decoded.size() - 1;
                    } catch (ImageRejected notAnImage) {
                        // nulls, as Spark's image source gives undecodable files a null image
                    }
                }
            }
            float[][] probabilities = decoded.isEmpty() ? new float[0][]
                    : predictor.probabilities(Nd4j.concat(0, decoded.toArray(INDArray[]::new)));
            List<Row> out = new ArrayList<>(batch.size());
            for (int i = 0; i < batch.size(); i++) {
                Row row = batch.get(i);
                Object[] values = new Object[row.length() + 2];
                for (int c = 0; c < row.length(); c++) {
                    values[c] = row.get(c);
                }
                if (position[i] >= 0) {
                    float[] p = probabilities[position[i]];
                    int best = 0;
                    for (int k = 1; k < p.length; k++) {
                        best = p[k] > p[best] ? k : best;
                    }
                    values[row.length()] = predictor.classes().get(best);
                    values[row.length() + 1] = FeatureRow.boxed(p);
                }
                out.add(RowFactory.create(values));
            }
            return out;
        }

        private ThreadLocal<Predictor> predictors() {
            ThreadLocal<Predictor> local = predictors;
            if (local == null) {
                synchronized (this) {
                    if (predictors == null) {
                        Path file = unpacked();
                        // a model per thread: a predictor is for one caller at a time, and so is a DL4J graph
                        predictors = ThreadLocal.withInitial(() -> new Predictor(SavedModel.load(file)));
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
