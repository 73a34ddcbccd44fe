package io.tlwb.spark;

import io.tlwb.WorkbenchException;
import io.tlwb.Workspace;
import io.tlwb.model.TestTimeAugmentation;
import io.tlwb.pipeline.Clusters;
import io.tlwb.pipeline.FeatureStore;
import java.io.File;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.apache.spark.SparkConf;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code --spark MASTER}: a Spark session configured for this workbench's executors. ND4J's native code needs the
 * same JavaCPP settings there as here, one OpenMP thread per executor core, and room off the heap; a
 * {@code local-cluster} master (separate executor JVMs on this machine, as tests use) also needs the driver's classpath
 * with absolute paths and a Spark home with a {@code jars/} folder.
 */
public final class SparkCluster implements Clusters.Provider {

    @Override
    public String option() {
        return "--spark";
    }

    @Override
    public FeatureStore connect(String master, String store, Workspace workspace, PrintWriter out,
                                PrintStream progress) {
        SparkSession spark = SparkSession.builder().config(configuration(master)).getOrCreate();
        out.printf("Spark %s at %s (%d task slots)%n", spark.version(), master,
                spark.sparkContext().defaultParallelism());
        return new SparkFeatureStore(spark, store == null ? null : new ParquetStore(spark, store),
                Pointer.maxBytes() / 4, workspace, out, progress);
    }

    @Override
    public List<float[]> predict(String master, Path model, TestTimeAugmentation tta, List<Path> images,
                                 PrintWriter out) {
        SparkSession spark = SparkSession.builder().config(configuration(master)).getOrCreate();
        try {
            out.printf("Spark %s at %s (%d task slots)%n", spark.version(), master,
                    spark.sparkContext().defaultParallelism());
            String[] paths = images.stream().map(file -> file.toAbsolutePath().toString()).toArray(String[]::new);
            Dataset<Row> files = spark.read().format("binaryFile").load(paths);
            Map<String, float[]> byPath = new HashMap<>();
            for (Row row : ImageClassifier.load(model).setTta(tta).transform(files).select("path", "probability")
                    .collectAsList()) {
                byPath.put(Path.of(URI.create(row.getString(0))).toString(), row.isNullAt(1) ? null
                        : Nd4j.createFromArray(row.<Vector>getAs(1).toArray()).toFloatVector());
            }
            return images.stream().map(file -> byPath.get(file.toAbsolutePath().toString())).toList();
        } finally {
            spark.stop();
        }
    }


    /** The configuration {@code --spark master} runs with; {@code spark.*} system properties still override it. */
    static SparkConf configuration(String master) {
        SparkConf conf = new SparkConf(true).setMaster(master).setAppName("tlwb featurize")
                .setIfMissing("spark.ui.enabled", "false")
                .setIfMissing("spark.driver.host", "127.0.0.1")
                .setIfMissing("spark.driver.bindAddress", "127.0.0.1")
                .setIfMissing("spark.executor.extraJavaOptions", String.join(" ",
                        "-Dorg.bytedeco.javacpp.platform.extension=" + System.getProperty(
                                "org.bytedeco.javacpp.platform.extension", ""),
                        "-Dorg.bytedeco.javacpp.maxbytes=2G", "-Dorg.bytedeco.javacpp.maxphysicalbytes=3G"))
                .setIfMissing("spark.executor.memoryOverhead", "1g")
                .setIfMissing("spark.executorEnv.OMP_NUM_THREADS", "1");
        if (master.startsWith("local-cluster")) {
            // executors are fresh JVMs on this machine: they need our classes, by absolute path
            String classpath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                    .map(p -> Path.of(p).toAbsolutePath().toString())
                    .collect(Collectors.joining(File.pathSeparator));
            conf.setIfMissing("spark.executor.extraClassPath", classpath);
            requireSparkHome();
        }
        return conf;
    }

    /**
     * Local-cluster workers build their executors' command from {@code $SPARK_HOME/jars} (which may be empty: the
     * classes come from {@code spark.executor.extraClassPath}) and work in {@code $SPARK_HOME/work}.
     */
    private static void requireSparkHome() {
        String home = System.getenv("SPARK_HOME");
        if (home == null || !Files.isDirectory(Path.of(home, "jars"))) {
            throw new WorkbenchException("a local-cluster master needs SPARK_HOME set to a folder with a jars/ "
                    + "subfolder (it may be empty), e.g. mkdir -p target/spark-home/jars && export "
                    + "SPARK_HOME=$PWD/target/spark-home SPARK_SCALA_VERSION=2.13");
        }
    }
}
