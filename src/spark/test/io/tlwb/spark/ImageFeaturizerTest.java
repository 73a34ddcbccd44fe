package io.tlwb.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.regexp_extract;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tlwb.RunFolder;
import io.tlwb.Workspace;
import io.tlwb.data.ImagePipeline;
import io.tlwb.data.LabeledImage;
import io.tlwb.eval.EvaluationResult;
import io.tlwb.features.FastFeaturizer;
import io.tlwb.model.TestTimeAugmentation;
import io.tlwb.pipeline.Clusters;
import io.tlwb.pipeline.TrainingResult;
import io.tlwb.pretrained.PretrainedModel;
import io.tlwb.serve.Predictor;
import io.tlwb.testing.LearnableImages;
import io.tlwb.testing.TinyBase;
import io.tlwb.testing.TinyTraining;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine and a trained model as Spark ML Transformers over Spark's own binaryFile source. */
class ImageFeaturizerTest {

    @TempDir
    Path tmp;

    private final PretrainedModel base = TinyBase.create(16, 21);

    @Test
    void featuresAndPredictionsEqualTheLocalOnesAndFilesThatAreNoImagesGetNull() throws Exception {
        Path data = LearnableImages.write(tmp.resolve("bugs"), 3, 32, 3);
        Files.writeString(data.resolve("ants").resolve("notes.txt"), "not an image");
        ImagePipeline pipeline = new ImagePipeline(32, base.preprocessing());
        FastFeaturizer local = FastFeaturizer.compile(base, "out_relu", 32);
        SparkSession spark = SparkSession.builder().config(SparkCluster.configuration("local[2]"))
                .getOrCreate();
        try {
            Dataset<Row> images = spark.read().format("binaryFile").option("recursiveFileLookup", "true")
                    .load(data.toString());
            ImageFeaturizer featurizer = ImageFeaturizer.of(base, "out_relu", 32);
            List<Row> rows = featurizer.transform(images).select("path", "features").collectAsList();

            assertEquals(7, rows.size(), "every row kept");
            int featurized = 0;
            for (Row row : rows) {
                Path file = Path.of(URI.create(row.getString(0)));
                if (file.getFileName().toString().equals("notes.txt")) {
                    assertNull(row.get(1), "no image, no features");
                    continue;
                }
                double[] features = row.<Vector>getAs(1).toArray();
                assertEquals(featurizer.featureSize(), features.length);
                assertArrayEquals(local.featurize(pipeline.load(file)).toDoubleVector(), features, 1e-5,
                        file.toString());
                featurized++;
            }
            assertEquals(6, featurized);

            var e = assertThrows(IllegalArgumentException.class,
                    () -> ImageFeaturizer.of(base, "out_relu", 32).setInputCol("path").transform(images));
            assertTrue(e.getMessage().startsWith("input column 'path' must hold encoded images"), e.getMessage());

            assertClassifierAgreesWithPredict(images, data); // last: evaluate's cluster job stops the session
        } finally {
            spark.stop();
        }
    }

    @Test
    void theFeaturizerIsAPipelineStageBeforeSparkMlsOwnEstimators() throws Exception {
        Path data = LearnableImages.write(tmp.resolve("bugs"), 8, 32, 3);
        SparkSession spark = SparkSession.builder().config(SparkCluster.configuration("local[2]"))
                .getOrCreate();
        try {
            Dataset<Row> images = spark.read().format("binaryFile").option("recursiveFileLookup", "true")
                    .load(data.toString())
                    .withColumn("class", regexp_extract(col("path"), "/([^/]+)/[^/]+$", 1));
            Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {
                ImageFeaturizer.of(base, "out_relu", 32),
                new StringIndexer().setInputCol("class").setOutputCol("label"),
                new LogisticRegression().setMaxIter(100).setRegParam(0.01)});
            PipelineModel model = pipeline.fit(images);
            Dataset<Row> predicted = model.transform(images);
            double accuracy = new MulticlassClassificationEvaluator().setMetricName("accuracy").evaluate(predicted);
            assertTrue(accuracy >= 0.9, "accuracy on the images it fit: " + accuracy);

            // saved and loaded as Spark ML saves its own pipelines, the featurizer included
            String saved = tmp.resolve("pipeline").toUri().toString();
            model.write().overwrite().save(saved);
            Dataset<Row> reloaded = PipelineModel.load(saved).transform(images);
            assertEquals(predicted.select("path", "prediction", "features").orderBy("path").collectAsList(),
                    reloaded.select("path", "prediction", "features").orderBy("path").collectAsList());
        } finally {
            spark.stop();
        }
    }

    /** A model trained here predicts on Spark exactly what predict gives for the same files. */
    private void assertClassifierAgreesWithPredict(Dataset<Row> images, Path data) throws Exception {
        Workspace ws = new Workspace(tmp.resolve("ws"));
        TrainingResult trained = TinyTraining.run(ws, RunFolder.create(ws.runsDir(), "train"));
        Predictor predictor = new Predictor(trained.model());
        ImageClassifier classifier = ImageClassifier.load(trained.modelFile());
        List<Row> rows = classifier.transform(images).select("path", "prediction", "probability").collectAsList();
        assertEquals(7, rows.size());
        for (Row row : rows) {
            Path file = Path.of(URI.create(row.getString(0)));
            if (file.getFileName().toString().equals("notes.txt")) {
                assertNull(row.get(1));
                assertNull(row.get(2));
                continue;
            }
            Predictor.Result expected = predictor.predict(file);
            assertEquals(expected.label(), row.getString(1), file.toString());
            double[] probabilities = row.<Vector>getAs(2).toArray();
            for (int k = 0; k < probabilities.length; k++) {
                assertEquals(expected.probabilities()[k], probabilities[k], 1e-6, file + " class " + k);
            }
        }
        String saved = tmp.resolve("classifier").toUri().toString();
        ImageClassifier renamed = ImageClassifier.load(trained.modelFile()).setTta(TestTimeAugmentation.NONE)
                .setPredictionCol("class");
        renamed.write().save(saved);
        ImageClassifier reloaded = ImageClassifier.read().load(saved);
        assertEquals("class", reloaded.getOrDefault(reloaded.predictionCol()));
        assertEquals(renamed.transform(images).select("path", "class", "probability").collectAsList(),
                reloaded.transform(images).select("path", "class", "probability").collectAsList());

        // evaluate --spark: the executors' probabilities, in the order of the files asked for
        List<LabeledImage> labelled = trained.dataset().validation();
        List<float[]> onCluster = Clusters.predict("--spark", "local[2]", trained.modelFile(), predictor.tta(),
                labelled.stream().map(LabeledImage::file).toList(), new PrintWriter(new StringWriter()));
        EvaluationResult here = predictor.evaluate(labelled, 8);
        for (int i = 0; i < labelled.size(); i++) {
            assertArrayEquals(here.predictions().get(i).probabilities(), onCluster.get(i), 1e-6f,
                    labelled.get(i).file().toString());
        }
    }
}
