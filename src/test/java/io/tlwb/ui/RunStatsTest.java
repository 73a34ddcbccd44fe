package io.tlwb.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tlwb.RunFolder;
import java.nio.file.Path;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

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

    @Test
    void everyReportIsInTheFileOnceTheRecordingCloses() {
        Path runDir;
        try (RunStats stats = RunStats.record(RunFolder.create(tmp, "train"), 1)) {
            runDir = stats.file().getParent();
            ComputationGraph graph = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(1).graphBuilder()
                    .addInputs("in").addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                            .nIn(4).nOut(2).activation(Activation.SOFTMAX).build(), "in").setOutputs("out").build());
            graph.init();
            graph.setListeners(stats.listener());
            DataSet batch = new DataSet(Nd4j.rand(8, 4), Nd4j.vstack(Nd4j.eye(2), Nd4j.eye(2), Nd4j.eye(2), Nd4j.eye(2)));
            for (int i = 0; i < 25; i++) {
                graph.fit(batch);
            }
        }
        // the reports were written on the writer thread; closing waited for all of them
        try (RunStats reopened = RunStats.open(runDir)) {
            assertEquals(25, reopened.storage().getNumUpdateRecordsFor(reopened.sessionId()));
        }
    }
}
