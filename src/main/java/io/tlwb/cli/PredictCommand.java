package io.tlwb.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tlwb.AtomicFiles;
import io.tlwb.WorkbenchException;
import io.tlwb.data.ImageFolders;
import io.tlwb.eval.CsvTable;
import io.tlwb.model.SavedModel;
import io.tlwb.serve.Predictor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "predict", description = {"Classify images (files or folders) with a saved model zip.",
        "Every PATH is checked before the model loads: a missing one stops the command (exit 3). An image that "
                + "cannot be decoded is reported and skipped; the others are still predicted, and the exit code is "
                + "then 3."})
final class PredictCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    WorkspaceOption workspaceOption;

    @Mixin
    SavedModelOptions modelOptions;

    @Option(names = "--json", description = "Print one JSON document with every image's probabilities.")
    boolean json;

    @Option(names = "--csv", paramLabel = "FILE",
            description = "Also write one row per image to FILE: file, class, probability, then every class's "
                    + "probability (never over an existing file).")
    Path csv;

    @Option(names = "--explain", paramLabel = "DIR",
            description = "Also write DIR/<image>-cam.png per image: the predicted class's activation map over the "
                    + "image (linear heads; existing files are kept).")
    Path explain;

    @Parameters(paramLabel = "PATH", arity = "1..*", description = "Image files or folders of images.")
    List<Path> paths;

    @Override
    public Integer call() throws Exception {
        if (csv != null && Files.exists(csv)) {
            throw new WorkbenchException("--csv " + csv + " already exists: choose another file or remove it first");
        }
        List<Path> missing = paths.stream().filter(p -> !Files.exists(p)).toList();
        if (!missing.isEmpty()) {
            throw new WorkbenchException("no such file or folder: " + missing.stream().map(Path::toString)
                    .collect(Collectors.joining(", ")) + "; nothing was predicted (check the PATH arguments)");
        }
        Predictor predictor = modelOptions.predictor(
                SavedModel.load(modelOptions.modelFile(workspaceOption.workspace())));
        if (explain != null) {
            predictor.requireExplainable(); // one line before any image, not one per image
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        err.println("frozen base on: " + predictor.engine());
        List<Predictor.Result> results = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (Path path : paths) {
            for (Path file : ImageFolders.files(path)) {
                try {
                    Predictor.Result r = explain == null ? predictor.predict(file) : explained(predictor, file, err);
                    results.add(r);
                    if (!json) {
                        out.printf(Locale.ROOT, "%s\t%s\t%.4f%n", file, r.label(), r.probability());
                    }
                } catch (WorkbenchException e) {
                    failures.add(e.getMessage());
                    err.println("skipped: " + e.getMessage());
                }
            }
        }
        if (json) {
            out.println(toJson(predictor.classes(), results, failures));
        }
        if (csv != null) {
            List<String> header = new ArrayList<>(List.of("file", "class", "probability"));
            header.addAll(predictor.classes());
            List<List<Object>> rows = new ArrayList<>();
            for (Predictor.Result r : results) {
                List<Object> row = new ArrayList<>(List.of(r.file().toString(), r.label(), r.probability()));
                for (float p : r.probabilities()) {
                    row.add(p);
                }
                rows.add(row);
            }
            CsvTable.write(csv, header, rows);
            err.println("wrote " + csv);
        }
        out.flush();
        return failures.isEmpty() ? 0 : Main.EXIT_USER_ERROR;
    }

    /** Predicts {@code file} and writes its activation-map overlay under {@code --explain}, never over a file. */
    private Predictor.Result explained(Predictor predictor, Path file, PrintWriter err) throws IOException {
        Predictor.Explanation e = predictor.explain(file);
        String stem = file.getFileName().toString().replaceFirst("\\.[^.]*$", "");
        Path png = explain.resolve(stem + "-cam.png");
        if (Files.exists(png)) {
            err.println("kept the existing " + png + " (remove it to write a new one)");
            return e.result();
        }
        Files.createDirectories(explain);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ImageIO.write(e.overlay(), "png", bytes);
        AtomicFiles.write(png, bytes.toByteArray());
        return e.result();
    }

    private static String toJson(List<String> classes, List<Predictor.Result> results, List<String> failures)
            throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        root.set("classes", mapper.valueToTree(classes));
        ArrayNode rows = root.putArray("predictions");
        for (Predictor.Result r : results) {
            ObjectNode row = rows.addObject();
            row.put("file", r.file().toString());
            row.put("label", r.label());
            row.put("probability", r.probability());
            row.set("probabilities", mapper.valueToTree(r.probabilities()));
        }
        root.set("skipped", mapper.valueToTree(failures));
        return mapper.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    }

}
