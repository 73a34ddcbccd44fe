package io.tlwb.spark;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.function.BiFunction;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWriter;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.SparkSession;
import scala.Option;

/**
 * A transformer saved the way Spark ML saves its own stages, so a {@code PipelineModel} holding it saves and loads:
 * Spark's metadata (class, uid, params) under {@code path/metadata}, and the values the stage computes with (its base,
 * its model), Java-serialized into one file under {@code path/data}, on any Hadoop filesystem.
 */
final class StageFiles {

    private static final String DATA = "data/stage.bin";

    private StageFiles() {
    }

    /** Spark ML's writer for {@code stage}: its params and {@code values}. */
    static MLWriter writer(Params stage, Object... values) {
        return new MLWriter() {
            @Override
            public void saveImpl(String path) {
                StageFiles.save(stage, path, sparkSession(), bytes(values));
            }
        };
    }

    /**
     * Spark ML's reader for stages of {@code type} that {@link #writer} saved with {@code count} values: {@code make}
     * rebuilds one from its uid and those values, then its saved params are set on it.
     */
    static <T extends Params> MLReader<T> reader(Class<T> type, int count, BiFunction<String, Object[], T> make) {
        return new MLReader<>() {
            @Override
            public T load(String path) {
                SparkSession spark = sparkSession();
                DefaultParamsReader.Metadata metadata = DefaultParamsReader.loadMetadata(path, spark, type.getName());
                T stage = make.apply(metadata.uid(), values(read(path, spark), count));
                metadata.getAndSetParams(stage, Option.empty());
                return stage;
            }
        };
    }

    private static void save(Params stage, String path, SparkSession spark, byte[] data) {
        DefaultParamsWriter.saveMetadata(stage, path, spark);
        Path file = new Path(path, DATA);
        try (OutputStream out = file.getFileSystem(spark.sparkContext().hadoopConfiguration()).create(file, false)) {
            out.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static byte[] read(String path, SparkSession spark) {
        Path file = new Path(path, DATA);
        try (InputStream in = file.getFileSystem(spark.sparkContext().hadoopConfiguration()).open(file)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static byte[] bytes(Object... values) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            for (Object value : values) {
                out.writeObject(value);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialize " + values.length + " values", e);
        }
        return bytes.toByteArray();
    }

    private static Object[] values(byte[] bytes, int count) {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
            Object[] values = new Object[count];
            for (int i = 0; i < count; i++) {
                values[i] = in.readObject();
            }
            return values;
        } catch (IOException | ClassNotFoundException e) {
            throw new IllegalStateException("saved data that this build cannot read (" + e + "): save it again "
                    + "with this build", e);
        }
    }
}
