package io.tlwb.tune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tlwb.RunFolder;
import io.tlwb.Workspace;
import io.tlwb.data.Augmentation;
import io.tlwb.data.ImagePipeline;
import io.tlwb.model.HeadConfig;
import io.tlwb.model.SavedModel;
import io.tlwb.model.TestTimeAugmentation;
import io.tlwb.pipeline.DataSpec;
import io.tlwb.pipeline.FeatureSpec;
import io.tlwb.pipeline.HeadRecipe;
import io.tlwb.pipeline.OutputSpec;
import io.tlwb.pretrained.PretrainedModel;
import io.tlwb.testing.LearnableImages;
import io.tlwb.testing.TinyBase;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

class HyperparameterSearchTest {

    @TempDir
    Path tmp;

    private final PretrainedModel base = TinyBase.create(16, 21);

    /** A small space so a few candidates differ visibly and train in a blink. */
    static final SearchSpace TINY = SearchSpace.DEFAULT
            .with("learningRate", Dimension.range(1e-3, 1e-1, Dimension.Scale.LOG))
            .with("hiddenUnits", Dimension.choice(List.of(0, 8)))
            .with("batchSize", Dimension.choice(List.of(4, 8)))
            .with("epochs", Dimension.choice(List.of(2, 4)));

    private SearchOptions options(Path data, SearchStrategy strategy, int candidates, HeadRecipe reference,
                                  Path modelOut) {
        return new SearchOptions(new DataSpec(data, 0.25, 7), new FeatureSpec(32, Augmentation.FLIP,
                TestTimeAugmentation.FLIP), TINY, strategy, candidates, 0, ScoreMetric.ACCURACY, 2, reference,
                new OutputSpec(modelOut, false, null));
    }

    private SearchResult search(Path data, SearchOptions options, StringWriter console) {
        Workspace ws = new Workspace(tmp.resolve("ws"));
        return new HyperparameterSearch(ws, new PrintWriter(console, true), null)
                .run(base, options, RunFolder.create(ws.runsDir(), "search"));
    }

    @Test
    void tinySearchWritesEveryCandidateAndSavesTheBestAsAModelThatPredicts() throws Exception {
        Path data = LearnableImages.write(tmp.resolve("bugs"), 8, 32, 3);
        HeadRecipe defaults = new HeadRecipe(HeadConfig.TUTORIAL, 8, 2, SearchSpace.DEFAULT_CUT);
        StringWriter console = new StringWriter();
        SearchResult result = search(data, options(data, SearchStrategy.RANDOM, 3, defaults,
                tmp.resolve("out/best.zip")), console);

        String text = console.toString();
        assertTrue(text.contains("results, best first") && text.contains("reference (train defaults)"), text);
        assertEquals(4, result.trials().size(), text); // 3 candidates + the reference
        assertEquals("candidate limit", result.stopped());
        assertFalse(result.best().failed());
        for (int i = 1; i < result.trials().size(); i++) {
            assertTrue(result.trials().get(i - 1).score() >= result.trials().get(i).score(), "sorted: " + text);
        }

        JsonNode candidates = new ObjectMapper().readTree(result.run().file("candidates.json").toFile());
        assertEquals(4, candidates.size());
        for (JsonNode c : candidates) {
            assertTrue(c.get("config").has("learningRate") && c.has("score") && c.has("validationLoss"), c.toString());
        }
        JsonNode summary = new ObjectMapper().readTree(result.run().file("search.json").toFile());
        assertEquals("random", summary.get("options").get("strategy").asText());

        SavedModel loaded = SavedModel.load(tmp.resolve("out/best.zip"));
        assertEquals(List.of("ants", "bees"), loaded.card().classes());
        assertEquals(result.best().candidate().head(), loaded.card().head());
        assertEquals(result.best().candidate().epochs(), loaded.card().training().get("epochs"));
        assertTrue(loaded.card().metrics().containsKey("search"));
        assertEquals("flip", loaded.card().training().get(TestTimeAugmentation.CARD_KEY),
                "the best model predicts as it was scored");
        Path image = Files.list(data.resolve("bees")).findFirst().orElseThrow();
        INDArray input = new ImagePipeline(32, base.preprocessing()).load(image);
        assertEquals(result.model().graph().outputSingle(input), loaded.graph().outputSingle(input));
    }

    @Test
    void sameSeedGivesTheSameCandidatesAndScores() {
        Path data = LearnableImages.write(tmp.resolve("bugs"), 6, 32, 4);
        for (SearchStrategy strategy : SearchStrategy.values()) {
            List<String> a = outcomes(search(data, options(data, strategy, 3, null, null), new StringWriter()));
            List<String> b = outcomes(search(data, options(data, strategy, 3, null, null), new StringWriter()));
            assertEquals(a, b, strategy.toString());
            assertEquals(3, a.size());
        }
    }

    /** Everything about the trials except how long they took. */
    private static List<String> outcomes(SearchResult result) {
        return result.trials().stream().map(t -> t.index() + " " + t.candidate() + " " + t.score() + " "
                + t.validationAccuracy() + " " + t.validationLoss()).toList();
    }
}
