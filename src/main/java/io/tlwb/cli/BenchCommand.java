package io.tlwb.cli;

import io.tlwb.RunFolder;
import io.tlwb.bench.Bench;
import io.tlwb.pretrained.PretrainedModel;
import io.tlwb.pretrained.WeightSources;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "bench", sortOptions = false,
        description = {"Measure this machine: sgemm GFLOP/s through ND4J, featurization img/s and achieved GFLOP/s "
                + "(fast path and plain DL4J graph) per image size and batch, peak RSS, and a train with a cold and "
                + "a warm feature cache.",
                "Compare the ratios (fast/graph, of sgemm): absolute figures are noisy on shared machines."})
final class BenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    WorkspaceOption workspaceOption;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the figures to FILE.")
    Path json;

    @Option(names = "--data", paramLabel = "DIR", defaultValue = DataOptions.DEMO_DATA,
            description = "Folder for the cold/warm train. Default: ${DEFAULT-VALUE}.")
    Path data;

    @Option(names = "--weights", paramLabel = "SPEC", defaultValue = WeightSources.DEFAULT_SPEC,
            description = "Pretrained weights. Default: ${DEFAULT-VALUE}.")
    String weights;

    @Option(names = "--sizes", split = ",", defaultValue = "160,224", description = "Image sizes. Default: ${DEFAULT-VALUE}.")
    List<Integer> sizes;

    @Option(names = "--batches", split = ",", defaultValue = "1,8,32",
            description = "Batch sizes of the fast path. Default: ${DEFAULT-VALUE}.")
    List<Integer> batches;

    @Option(names = "--reps", defaultValue = "3", description = "Timed runs per fast configuration. Default: ${DEFAULT-VALUE}.")
    int reps;

    @Option(names = "--graph-batches", split = ",", defaultValue = "1,8",
            description = "Batch sizes for the plain DL4J graph (slow; batch 32 needs many GB); 'none' skips it. "
                    + "Default: ${DEFAULT-VALUE}.")
    List<String> graphBatches;

    @Option(names = "--graph-reps", defaultValue = "1", description = "Timed runs per DL4J graph configuration. Default: ${DEFAULT-VALUE}.")
    int graphReps;

    @Option(names = "--sgemm-reps", defaultValue = "5", description = "Default: ${DEFAULT-VALUE}.")
    int sgemmReps;

    @Option(names = "--epochs", defaultValue = "10", description = "Epochs of the cold/warm train. Default: ${DEFAULT-VALUE}.")
    int epochs;

    @Option(names = "--no-train", description = "Skip the cold/warm train.")
    boolean noTrain;

    @Override
    public Integer call() {
        Bench.Options options;
        try {
            List<Integer> graph = graphBatches.size() == 1 && graphBatches.get(0).equals("none") ? List.of()
                    : graphBatches.stream().map(Integer::parseInt).toList();
            options = new Bench.Options(sizes, batches, reps, graph, graphReps, sgemmReps, noTrain ? null : data,
                    epochs);
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        PretrainedModel base = WeightSources.load(weights, workspaceOption.workspace());
        Map<String, Object> report = new Bench(base, options, out).run();
        if (json != null) {
            RunFolder.writeJson(json, report);
            out.println("figures written to " + json);
        }
        return 0;
    }
}
