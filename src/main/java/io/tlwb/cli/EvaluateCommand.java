package io.tlwb.cli;

import io.tlwb.RunFolder;
import io.tlwb.Workspace;
import io.tlwb.data.ImageDataset;
import io.tlwb.data.ImageFolders;
import io.tlwb.eval.CsvTable;
import io.tlwb.eval.EvaluationResult;
import io.tlwb.model.SavedModel;
import io.tlwb.report.RunReport;
import io.tlwb.serve.Predictor;
import java.io.PrintWriter;
import java.nio.file.Path;
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
        EvaluationResult result = predictor.evaluate(set.validation(), batchSize);
        out.print(result.toText());

        RunFolder run = RunFolder.create(workspace.runsDir(), "evaluate");
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("model", modelFile.toAbsolutePath().toString());
        metrics.put("data", set.root().toString());
        metrics.put("classes", result.classes());
        metrics.put("after", result.toMap());
        metrics.put("confusion", result.confusion());
        metrics.put("skipped", set.skipped().size());
        metrics.put("engine", predictor.engine());
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

}
