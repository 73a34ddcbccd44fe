package io.tlwb.cli;

import io.tlwb.RunFolder;
import io.tlwb.Workspace;
import io.tlwb.data.DataException;
import io.tlwb.data.ImageDataset;
import io.tlwb.data.ImageFolders;
import io.tlwb.data.LabeledImage;
import io.tlwb.eval.CsvTable;
import io.tlwb.eval.EvaluationResult;
import io.tlwb.eval.Evaluator;
import io.tlwb.eval.Prediction;
import io.tlwb.model.SavedModel;
import io.tlwb.pipeline.Clusters;
import io.tlwb.report.RunReport;
import io.tlwb.serve.Predictor;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "evaluate", description = {"Re-evaluate a saved model on a folder (or CSV manifest) of labelled images.",
        "Layouts: DIR/<class>/*, or DIR/validation|val|test/<class>/* (the held-out split is used)."})
final class EvaluateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    WorkspaceOption workspaceOption;

    @Mixin
    SavedModelOptions modelOptions;

    @Option(names = "--data", paramLabel = "DIR|CSV", required = true,
            description = "Folder of labelled images, or a path,label[,split] CSV manifest (its validation rows if "
                    + "it has splits).")
    Path data;

    @Option(names = "--batch-size", defaultValue = "32", description = "Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--metrics-json", paramLabel = "FILE", description = "Also write the metrics to FILE.")
    Path metricsJson;

    @Option(names = "--spark", paramLabel = "MASTER",
            description = "Predict on Apache Spark at MASTER (local[*], local-cluster[N,cores,MB], spark://host:port, "
                    + "yarn, ...): the executors read the images by path. Needs the Spark build (mvn -Pspark). "
                    + "Default: this machine.")
    String sparkMaster;

    @Override
    public Integer call() {
        long start = System.nanoTime();
        Workspace workspace = workspaceOption.workspace();
        Path modelFile = modelOptions.modelFile(workspace);
        SavedModel saved = SavedModel.load(modelFile);
        Predictor predictor = modelOptions.predictor(saved);
        ImageDataset set = ImageFolders.openEvaluationSet(data, saved.card().classes());
        PrintWriter out = spec.commandLine().getOut();
        out.printf("evaluating %s on %s: %d images%s (frozen base on: %s)%n", modelFile, set.root(),
                set.validation().size(),
                set.skipped().isEmpty() ? "" : ", " + set.skipped().size() + " unusable files skipped",
                predictor.engine());
        EvaluationResult result = sparkMaster == null ? predictor.evaluate(set.validation(), batchSize)
                : Evaluator.evaluate(saved.card().classes(), onCluster(modelFile, predictor, set, out));
        out.print(result.toText());

        RunFolder run = RunFolder.create(workspace.runsDir(), "evaluate");
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("model", modelFile.toAbsolutePath().toString());
        metrics.put("data", set.root().toString());
        metrics.put("classes", result.classes());
        metrics.put("after", result.toMap());
        metrics.put("confusion", result.confusion());
        metrics.put("skipped", set.skipped().size());
        metrics.put("engine", sparkMaster == null ? predictor.engine() : predictor.engine() + " on Spark "
                + sparkMaster);
        run.writeJson("metrics.json", metrics);
        List<List<Object>> wrong = result.predictions().stream().filter(p -> !p.correct())
                .map(p -> List.<Object>of(p.source(), result.classes().get(p.trueLabel()),
                        result.classes().get(p.predictedLabel()), p.probabilities()[p.predictedLabel()]))
                .toList();
        CsvTable.write(run.file("misclassified.csv"), List.of("file", "true", "predicted", "probability"), wrong);
        if (metricsJson != null) {
            RunFolder.writeJson(metricsJson, metrics);
        }
        Path report = RunReport.writeEvaluation(run, saved.card(), modelFile, set, result,
                Map.of("total", (System.nanoTime() - start) / 1e9), predictor::activationOverlay);
        out.printf("report: %s%nrun folder %s (misclassified.csv lists the %d wrong)%n", report, run.dir(),
                wrong.size());
        return 0;
    }

    /** The predictions the cluster's executors compute, paired with the images' true labels. */
    private List<Prediction> onCluster(Path modelFile, Predictor predictor, ImageDataset set, PrintWriter out) {
        List<LabeledImage> images = set.validation();
        List<float[]> probabilities = Clusters.predict("--spark", sparkMaster, modelFile, predictor.tta(),
                images.stream().map(LabeledImage::file).toList(), out);
        List<Prediction> predictions = new ArrayList<>(images.size());
        for (int i = 0; i < images.size(); i++) {
            if (probabilities.get(i) == null) {
                throw new DataException(images.get(i).file() + ": no longer a usable image on the executors");
            }
            predictions.add(new Prediction(images.get(i).file().toString(), images.get(i).label(),
                    probabilities.get(i)));
        }
        return predictions;
    }
}
