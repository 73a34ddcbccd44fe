package io.tlwb.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tlwb.RunFolder;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunStatsTest {

    @TempDir
    Path tmp;

    @Test
    void automaticFrequencySpreadsAboutThreeHundredReportsOverThePlannedRun() {
        try (RunStats stats = RunStats.record(RunFolder.create(tmp, "train"), RunStats.AUTO)) {
            assertEquals(1, stats.reportEvery(), "every iteration until the run is planned");
            stats.planFor(240); // hymenoptera: 8 batches x 30 epochs
            assertEquals(1, stats.reportEvery());
            stats.planFor(1890); // 2000 images: 63 batches x 30 epochs
            assertEquals(7, stats.reportEvery());
        }
    }

    @Test
    void anExplicitFrequencyIsKept() {
        try (RunStats stats = RunStats.record(RunFolder.create(tmp, "train"), 5)) {
            stats.planFor(100_000);
            assertEquals(5, stats.reportEvery());
        }
    }
}
