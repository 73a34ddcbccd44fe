package io.tlwb.spark;

import io.tlwb.data.ImageRejected;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What the Spark ML transformers share: a DataFrame column of encoded images (JPEG, PNG, BMP, GIF or WebP, as
 * Spark's {@code binaryFile} source reads them into {@code content}) turned into more columns on the executors, a
 * batch of decoded images at a time. A row whose bytes are no usable image gets nulls, as Spark's own image source
 * gives undecodable files a null image.
 */
final class EncodedImages {

    /** What an executor computes for a partition: its decoder and its model, made once per partition. */
    interface Computation {
        /** @throws ImageRejected when the bytes are not a usable image */
        INDArray decode(byte[] bytes);

        /** The appended values of every image of a decoded batch, {@code [image][column]}. */
        Object[][] compute(INDArray batch);
    }

    /** Makes a partition's {@link Computation} from what the driver shipped. */
    @FunctionalInterface
    interface Executor<S> extends Serializable {
        Computation begin(S shipped) throws Exception;
    }

    private EncodedImages() {
    }

    /**
     * @throws IllegalArgumentException naming the column when {@code input} is missing or not binary, or an output
     *                                  column already exists
     */
    static void requireColumns(StructType schema, String input, String... outputs) {
        List<String> names = Arrays.asList(schema.fieldNames());
        if (!names.contains(input) || !schema.apply(input).dataType().equals(DataTypes.BinaryType)) {
            throw new IllegalArgumentException("input column '" + input + "' must hold encoded images (binary), as "
                    + "spark.read().format(\"binaryFile\") gives in 'content'; columns: " + schema.simpleString());
        }
        for (String output : outputs) {
            if (names.contains(output)) {
                throw new IllegalArgumentException("output column '" + output + "' already exists: rename it");
            }
        }
    }

    /**
     * {@code images} with the columns of {@code schema} beyond its own, computed on the executors from
     * {@code shipped} (broadcast once) by {@code executor}, {@code batchSize} images at a time.
     */
    static <S extends Serializable> Dataset<Row> transform(Dataset<?> images, String input, StructType schema,
                                                           S shipped, Executor<S> executor, int batchSize) {
        int content = images.schema().fieldIndex(input);
        int appended = schema.size() - images.schema().size();
        JavaSparkContext context = JavaSparkContext.fromSparkContext(images.sparkSession().sparkContext());
        Broadcast<S> broadcast = context.broadcast(shipped);
        JavaRDD<Row> rows = images.toDF().javaRDD().mapPartitions(part ->
                append(part, content, appended, batchSize, executor.begin(broadcast.value())));
        return images.sparkSession().createDataFrame(rows, schema);
    }

    private static Iterator<Row> append(Iterator<Row> rows, int content, int appended, int batchSize,
                                        Computation computation) {
        List<Row> out = new ArrayList<>();
        List<Row> batch = new ArrayList<>(batchSize);
        while (rows.hasNext()) {
            batch.add(rows.next());
            if (batch.size() == batchSize || !rows.hasNext()) {
                out.addAll(append(batch, content, appended, computation));
                batch.clear();
            }
        }
        return out.iterator();
    }

    private static List<Row> append(List<Row> batch, int content, int appended, Computation computation) {
        List<INDArray> decoded = new ArrayList<>();
        int[] position = new int[batch.size()];
        for (int i = 0; i < batch.size(); i++) {
            position[i] = -1;
            byte[] bytes = batch.get(i).isNullAt(content) ? null : (byte[]) batch.get(i).get(content);
            if (bytes != null) {
                try {
                    decoded.add(computation.decode(bytes));
                    position[i] = decoded.size() - 1;
                } catch (ImageRejected notAnImage) {
                    // nulls for this row
                }
            }
        }
        Object[][] values = decoded.isEmpty() ? new Object[0][]
                : computation.compute(Nd4j.concat(0, decoded.toArray(INDArray[]::new)));
        List<Row> out = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            Row row = batch.get(i);
            Object[] all = new Object[row.length() + appended];
            for (int c = 0; c < row.length(); c++) {
                all[c] = row.get(c);
            }
            if (position[i] >= 0) {
                System.arraycopy(values[position[i]], 0, all, row.length(), appended);
            }
            out.add(RowFactory.create(all));
        }
        return out;
    }
}
