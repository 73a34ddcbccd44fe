package io.tlwb.spark;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWriter;
import org.apache.spark.sql.SparkSession;
import scala.Option;

/**
 * A transformer saved the way Spark ML saves its own stages, so a {@code PipelineModel} holding it saves and loads:
 * Spark's metadata (class, uid, params) under {@code path/metadata}, and what the stage computes with as one file
 * under {@code path/data}, on any Hadoop filesystem.
 */
final class StageFiles {

    private static final String DATA = "data/stage.bin";

    private StageFiles() {
    }

    static void save(Params stage, String path, SparkSession spark, byte[] data) {
        DefaultParamsWriter.saveMetadata(stage, path, spark);
        Path file = new Path(path, DATA);
        try (OutputStream out = file.getFileSystem(spark.sparkContext().hadoopConfiguration()).create(file, false)) {
            out.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** The uid and data saved at {@code path} for a stage of {@code type}. */
    static Saved load(String path, SparkSession spark, Class<?> type) {
        DefaultParamsReader.Metadata metadata = DefaultParamsReader.loadMetadata(path, spark, type.getName());
        Path file = new Path(path, DATA);
        try (InputStream in = file.getFileSystem(spark.sparkContext().hadoopConfiguration()).open(file)) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            in.transferTo(bytes);
            return new Saved(metadata, bytes.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** What {@link #load} read: Spark's metadata and the stage's data. */
    record Saved(DefaultParamsReader.Metadata metadata, byte[] data) {
        String uid() {
            return metadata.uid();
        }

        /** Sets the saved params on {@code stage} (made with {@link #uid()}) and returns it. */
        <T extends Params> T withParams(T stage) {
            metadata.getAndSetParams(stage, Option.empty());
            return stage;
        }
    }
}
