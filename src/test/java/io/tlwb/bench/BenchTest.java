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
    void oneRunReportsMachineSgemmFeaturizationRssAndColdWarmTrain() throws Exception {
        PretrainedModel base = TinyBase.create(8, 1);
        Path data = LearnableImages.write(tmp.resolve("data"), 4, 32, 1);
        Bench.Options options = new Bench.Options(List.of(32), List.of(1, 2), 1, List.of(2), 1, 1, data, 1);
        StringWriter text = new StringWriter();
        Map<String, Object> report = new Bench(base, options, new PrintWriter(text, true)).run();

        Map<?, ?> machine = (Map<?, ?>) report.get("machine");
        assertTrue((int) machine.get("cores") >= 1);
        assertTrue((double) ((Map<?, ?>) report.get("sgemm")).get("bestGflops") > 0);
        List<?> fast = (List<?>) report.get("featurize");
        assertEquals(2, fast.size());
        Map<?, ?> row = (Map<?, ?>) fast.get(1);
        assertEquals(2, row.get("batch"));
        assertTrue((double) row.get("imagesPerSecond") > 0 && (double) row.get("gflops") > 0);
        assertEquals(1, ((List<?>) report.get("featurizeDl4jGraph")).size());
        Map<?, ?> train = (Map<?, ?>) report.get("train");
        assertTrue(train.containsKey("cold") && train.containsKey("warm"), train.toString());
        assertTrue((long) report.get("peakRssBytes") != 0);
        String table = text.toString();
        assertTrue(table.contains("fast img/s") && table.contains("warm feature cache"), table);

        Path json = RunFolder.writeJson(tmp.resolve("bench.json"), report);
        assertTrue(Files.readString(json).contains("\"imagesPerSecond\""));
    }
}
