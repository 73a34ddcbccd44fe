package io.tlwb.cli;

import io.tlwb.testing.OfflineWeights;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tlwb.Workspace;
import io.tlwb.testing.LearnableImages;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The user's workflow on the command line with the real offline MobileNetV2 (npm:nsfwjs@4.4.0) at a small input
 * size: train, then predict and evaluate with the saved zip. The weights cache is shared across test classes in
 * target/ so the package is fetched and converted once per build.
 */
class TrainPredictEvaluateCliTest {

    static final Path WORKSPACE = Path.of("target", "test-workspace");

    @TempDir
    static Path tmp;

    static Path data;
    static Path model;
    static String trainOutput;

    record Run(int code, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @BeforeAll
    static void trainOnce() {
        OfflineWeights.assumeFetched(new Workspace(WORKSPACE));
        data = LearnableImages.write(tmp.resolve("bugs"), 6, 64, 1);
        model = tmp.resolve("bugs.zip");
        Run train = run("train", "--workspace", WORKSPACE.toString(), "--data", data.toString(), "--image-size", "64",
                "--epochs", "5", "--lr", "1e-2", "--batch-size", "4", "--validation-split", "0.34",
                "--model-out", model.toString(), "--metrics-json", tmp.resolve("m.json").toString());
        assertEquals(0, train.code(), train.err());
        trainOutput = train.out();
    }

    @Test
    void trainReportsBaselineEpochsAndFinalEvaluation() throws Exception {
        assertTrue(trainOutput.contains("untrained head on the validation split"), trainOutput);
        assertTrue(trainOutput.contains("weights: npm:nsfwjs@4.4.0#mobilenet_v2_mid (offline); ImageNet weights "
                + "transfer better: fetch them once with `weights fetch keras:mobilenet_v2_1.0_224`"), trainOutput);
        assertTrue(trainOutput.contains("epoch 5/5"), trainOutput);
        assertTrue(trainOutput.contains("fine-tuning: off (the smallest class has 4 training images"), trainOutput);
        assertTrue(trainOutput.contains("precision") && trainOutput.contains("ROC AUC"), trainOutput);
        JsonNode metrics = new ObjectMapper().readTree(tmp.resolve("m.json").toFile());
        assertTrue(metrics.path("before").has("accuracy") && metrics.path("after").has("accuracy"), metrics.toString());
        assertEquals(2, metrics.path("confusion").size());
    }

    @Test
    void predictGivesEveryImageAClassAndJsonForMachines() throws Exception {
        Run text = run("predict", "--model", model.toString(), data.resolve("ants").toString());
        assertEquals(0, text.code(), text.err());
        assertEquals(6, text.out().lines().count(), text.out());
        assertTrue(text.out().lines().allMatch(l -> l.matches(".*ants-\\d\\.png\t(ants|bees)\t[01]\\.\\d{4}")), text.out());

        Run json = run("predict", "--json", "--model", model.toString(), data.resolve("bees/bees-0.png").toString());
        JsonNode root = new ObjectMapper().readTree(json.out());
        assertEquals(1, root.path("predictions").size());
        assertEquals(2, root.path("predictions").get(0).path("probabilities").size());
    }

    @Test
    void predictWritesACsvRowPerImageWithEveryClassProbability() throws Exception {
        Path csv = tmp.resolve("predictions.csv");
        Run r = run("predict", "--model", model.toString(), "--csv", csv.toString(), data.resolve("ants").toString());
        assertEquals(0, r.code(), r.err());
        List<String> lines = Files.readAllLines(csv);
        assertEquals("file,class,probability,ants,bees", lines.get(0));
        assertEquals(7, lines.size(), "a header and six images");
        String[] first = lines.get(1).split(",");
        assertEquals(1.0, Double.parseDouble(first[3]) + Double.parseDouble(first[4]), 1e-5);
        Run again = run("predict", "--model", model.toString(), "--csv", csv.toString(), data.toString());
        assertEquals(Main.EXIT_USER_ERROR, again.code(), "an existing file is never replaced");
        assertEquals(7, Files.readAllLines(csv).size());
    }

    @Test
    void predictExplainsEachImageWithAnActivationMapOverlay() throws Exception {
        Path dir = tmp.resolve("explained");
        Run r = run("predict", "--model", model.toString(), "--explain", dir.toString(), data.resolve("bees").toString());
        assertEquals(0, r.code(), r.err());
        try (var files = Files.list(dir)) {
            List<Path> pngs = files.sorted().toList();
            assertEquals(6, pngs.size(), pngs.toString());
            assertTrue(pngs.get(0).getFileName().toString().endsWith("-cam.png"), pngs.toString());
            assertEquals(64, javax.imageio.ImageIO.read(pngs.get(0).toFile()).getWidth(), "the model's input size");
        }
    }

    @Test
    void predictChecksEveryPathBeforeLoadingTheModel() {
        Run r = run("predict", "--model", model.toString(), data.resolve("ants").toString(),
                tmp.resolve("absent.jpg").toString());
        assertEquals(Main.EXIT_USER_ERROR, r.code());
        assertEquals("", r.out(), "nothing is predicted when a path is missing");
        assertOneLine(r.err(), "absent.jpg");
    }

    @Test
    void predictFindsABareModelNameInTheWorkspaceModelsFolder() throws Exception {
        Path workspace = tmp.resolve("ws");
        Files.createDirectories(workspace.resolve("models"));
        Files.copy(model, workspace.resolve("models").resolve("bugs-copy.zip"));
        Run r = run("predict", "-w", workspace.toString(), "--model", "bugs-copy.zip",
                data.resolve("bees/bees-0.png").toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(1, r.out().lines().count(), r.out());
    }

    @Test
    void evaluateReEvaluatesTheSavedModelOnAnyFolder() throws Exception {
        Path metrics = tmp.resolve("eval.json");
        Run eval = run("evaluate", "--workspace", WORKSPACE.toString(), "--model", model.toString(),
                "--data", data.toString(), "--metrics-json", metrics.toString());
        assertEquals(0, eval.code(), eval.err());
        assertTrue(eval.out().contains("12 images"), eval.out());
        Path runDir = Path.of(eval.out().lines().filter(l -> l.startsWith("run folder ")).findFirst().orElseThrow()
                .substring("run folder ".length()).replaceFirst(" \\(.*", ""));
        List<String> wrong = Files.readAllLines(runDir.resolve("misclassified.csv"));
        assertEquals("file,true,predicted,probability", wrong.get(0));
        int accuracyWrong = 12 - (int) Math.round(12 * new ObjectMapper().readTree(metrics.toFile()).path("after")
                .path("accuracy").asDouble());
        assertEquals(accuracyWrong, wrong.size() - 1, "one row per misclassified image");
        assertEquals(12, new ObjectMapper().readTree(metrics.toFile()).path("after").path("count").asInt());
    }

    @Test
    void badInputsGetOneLineErrorsNotStackTraces() throws Exception {
        Run missingModel = run("predict", "--model", tmp.resolve("nope.zip").toString(), data.toString());
        assertEquals(Main.EXIT_USER_ERROR, missingModel.code());
        assertOneLine(missingModel.err(), "nope.zip");

        Path foreign = Files.writeString(tmp.resolve("foreign.zip"), "not a zip");
        Run foreignModel = run("predict", "--model", foreign.toString(), data.toString());
        assertEquals(Main.EXIT_USER_ERROR, foreignModel.code());
        assertOneLine(foreignModel.err(), "foreign.zip");

        Path oneClass = LearnableImages.write(tmp.resolve("one"), 3, 32, 2).resolve("ants");
        Run train = run("train", "--workspace", WORKSPACE.toString(), "--data", oneClass.toString(), "--image-size", "64");
        assertEquals(Main.EXIT_USER_ERROR, train.code());
        assertOneLine(train.err(), oneClass.getFileName().toString());

        Run contradiction = run("train", "--data", data.toString(), "--no-fine-tune", "--fine-tune-from", "x");
        assertEquals(2, contradiction.code());
        assertTrue(contradiction.err().startsWith("--no-fine-tune and --fine-tune-from contradict"), contradiction.err());

        Run storeAlone = run("train", "--data", data.toString(), "--features", tmp.resolve("store").toString());
        assertEquals(2, storeAlone.code());
        assertTrue(storeAlone.err().startsWith("--features STORE needs --spark MASTER"), storeAlone.err());

        Run badFlag = run("train", "--data", data.toString(), "--augment", "sideways");
        assertEquals(2, badFlag.code());
        assertTrue(badFlag.err().contains("sideways"), badFlag.err());

        // before any data work: the data folder does not even exist
        Run badCut = run("train", "--workspace", WORKSPACE.toString(), "--data", tmp.resolve("absent").toString(),
                "--image-size", "64", "--cut-layer", "no_such_layer");
        assertEquals(Main.EXIT_USER_ERROR, badCut.code());
        assertOneLine(badCut.err(), "no_such_layer");
        assertTrue(badCut.err().contains("--cut-layer") && badCut.err().contains("candidates"), badCut.err());

        Path existing = Files.writeString(tmp.resolve("keep.zip"), "precious");
        Run overwrite = run("train", "--workspace", WORKSPACE.toString(), "--data", data.toString(), "--image-size",
                "64", "--epochs", "1", "--model-out", existing.toString());
        assertEquals(Main.EXIT_USER_ERROR, overwrite.code());
        assertEquals("precious", Files.readString(existing));
    }

    private static void assertOneLine(String err, String mentions) {
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.startsWith("error: ") && err.contains(mentions), err);
        assertFalse(err.contains("\tat "), err);
    }
}
