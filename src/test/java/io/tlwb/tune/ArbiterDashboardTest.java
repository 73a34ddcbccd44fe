package io.tlwb.tune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tlwb.RunFolder;
import io.tlwb.Workspace;
import io.tlwb.data.Augmentation;
import io.tlwb.model.TestTimeAugmentation;
import io.tlwb.pipeline.DataSpec;
import io.tlwb.pipeline.FeatureSpec;
import io.tlwb.pipeline.OutputSpec;
import io.tlwb.testing.LearnableImages;
import io.tlwb.testing.TinyBase;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.deeplearning4j.core.storage.StatsStorage;
import org.deeplearning4j.ui.VertxUIServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArbiterDashboardTest {

    @TempDir
    Path tmp;

    @Test
    void aRecordedSearchReopensInTheArbiterPagesOfTheDashboard() throws Exception {
        Path data = LearnableImages.write(tmp.resolve("bugs"), 6, 32, 5);
        Workspace ws = new Workspace(tmp.resolve("ws"));
        RunFolder run = RunFolder.create(ws.runsDir(), "search");
        SearchOptions options = new SearchOptions(new DataSpec(data, 0.25, 3), new FeatureSpec(32, Augmentation.NONE,
                TestTimeAugmentation.NONE), HyperparameterSearchTest.TINY, SearchStrategy.RANDOM, 2, 0,
                ScoreMetric.LOSS, 2, null, OutputSpec.DEFAULT);
        try (SearchDashboard dashboard = SearchDashboard.recordTo(run)) {
            new HyperparameterSearch(ws, new PrintWriter(new StringWriter()), null)
                    .addStatusListeners(dashboard.listener()).run(TinyBase.create(8, 1), options, run);
        }

        StatsStorage reopened = SearchDashboard.open(run.dir());
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        VertxUIServer server = VertxUIServer.getInstance(port, false, null);
        try {
            server.attach(reopened);
            String root = "http://localhost:" + port;
            String page = get(root + "/arbiter");
            assertTrue(page.contains("<html") || page.contains("<!DOCTYPE"), page);
            assertEquals("\"" + run.id() + "\"", get(root + "/arbiter/sessions/current"));
            String summary = get(root + "/arbiter/summary");
            assertTrue(summary.contains("Models Completed") && summary.contains("MaxCandidatesCondition"), summary);
            String config = get(root + "/arbiter/config");
            assertTrue(config.contains("learningRate") && config.contains("validation loss"), config);
            String results = get(root + "/arbiter/results");
            assertTrue(results.contains("Complete"), results);
            String candidate = get(root + "/arbiter/candidateInfo/0");
            assertTrue(candidate.contains("Model Score vs. Iteration") && candidate.contains("hiddenUnits"), candidate);
        } finally {
            server.stop();
            reopened.close();
        }
    }

    private static String get(String url) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), url + ": " + response.body());
        return response.body();
    }
}
