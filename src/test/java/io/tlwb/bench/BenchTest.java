package io.tlwb.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tlwb.RunFolder;
import io.tlwb.pretrained.PretrainedModel;
import io.tlwb.testing.LearnableImages;
import io.tlwb.testing.TinyBase;
import java.io.StringWriter;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchTest {

    @TempDir
    Path tmp;

    @Test
    void oneRunReportsPeakEngineAndGraphPerSourceFolderRssAndColdWarmTrain() throws Exception {
        List<PretrainedModel> sources = List.of(TinyBase.create(8, 1), TinyBase.residualBlock(false));
        Path data = LearnableImages.write(tmp.resolve("data"), 4, 32, 1);
        Bench.Options options = new Bench.Options(List.of(32), List.of(1, 2), 0.05, List.of(2), 1, 1, data, true, 1);
        StringWriter text = new StringWriter();
        Map<String, Object> report = new Bench(sources, options, new PrintWriter(text, true)).run();

        Map<?, ?> machine = (Map<?, ?>) report.get("machine");
        assertTrue((int) machine.get("cores") >= 1);
        Map<?, ?> sgemm = (Map<?, ?>) report.get("sgemm");
        assertEquals("oneDNN", sgemm.get("library"));
        assertTrue((double) sgemm.get("bestGflops") > 0);
        List<?> perSource = (List<?>) report.get("sources");
        assertEquals(2, perSource.size());
        for (Object source : perSource) {
            List<?> engine = (List<?>) ((Map<?, ?>) source).get("featurize");
            assertEquals(2, engine.size());
            Map<?, ?> row = (Map<?, ?>) engine.get(1);
            assertEquals(2, row.get("batch"));
            assertTrue((double) row.get("imagesPerSecond") > 0 && (double) row.get("gflops") > 0
                    && (double) row.get("msPerBatch") > 0, row.toString());
            assertTrue((int) row.get("batchesTimed") >= 3);
            assertEquals(1, ((List<?>) ((Map<?, ?>) source).get("featurizeDl4jGraph")).size());
        }
        Map<?, ?> folder = (Map<?, ?>) report.get("folder");
        assertEquals(8, folder.get("images")); // 4 per class, both splits
        assertTrue((double) folder.get("decodeImagesPerSecond") > 0
                && (double) folder.get("endToEndImagesPerSecond") > 0, folder.toString());
        Map<?, ?> train = (Map<?, ?>) report.get("train");
        assertTrue(train.containsKey("cold") && train.containsKey("warm"), train.toString());
        assertTrue((long) report.get("peakRssBytes") != 0);
        String table = text.toString();
        assertTrue(table.contains("engine img/s") && table.contains("decode alone")
                && table.contains("warm feature cache"), table);

        Path json = RunFolder.writeJson(tmp.resolve("bench.json"), report);
        assertTrue(Files.readString(json).contains("\"imagesPerSecond\""));
    }
}
