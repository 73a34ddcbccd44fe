package io.tlwb.cli;

import io.tlwb.Workspace;
import io.tlwb.testing.OfflineWeights;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The main job with its defaults on real photos: the team's ants-vs-bees set beside the project. Slow (it featurizes
 * ~400 photos on a cold cache) and outside the default suite: {@code mvn -B test -Dtests.excluded=none}.
 */
@Tag("slow")
class HymenopteraEndToEndTest {

    static final Path HYMENOPTERA = Path.of("..", "shared", "datasets", "hymenoptera");

    @TempDir
    Path tmp;

    @Test
    void defaultTrainingOnRealPhotosBeatsTheUntrainedHeadAndTheMajorityClass() throws Exception {
        assumeTrue(Files.isDirectory(HYMENOPTERA), "skipped: " + HYMENOPTERA.toAbsolutePath().normalize()
                + " is absent (the team's shared dataset, see ../shared/README.md)");
        OfflineWeights.assumeFetched(new Workspace(TrainPredictEvaluateCliTest.WORKSPACE));
        Path metrics = tmp.resolve("m.json");
        TrainPredictEvaluateCliTest.Run train = TrainPredictEvaluateCliTest.run("train", "--workspace",
                TrainPredictEvaluateCliTest.WORKSPACE.toString(), "--data", HYMENOPTERA.toString(),
                "--model-out", tmp.resolve("hymenoptera.zip").toString(), "--metrics-json", metrics.toString());
        assertEquals(0, train.code(), train.err());

        JsonNode m = new ObjectMapper().readTree(metrics.toFile());
        double before = m.path("before").path("accuracy").asDouble();
        double after = m.path("after").path("accuracy").asDouble();
        assertEquals(153, m.path("after").path("count").asInt());
        assertTrue(after > before + 0.1 && after > 83.0 / 153 + 0.1, "before " + before + ", after " + after);
    }
}
