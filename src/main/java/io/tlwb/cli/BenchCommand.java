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
        description = {"Measure this machine: its float peak (oneDNN sgemm), then per weight source the engine's "
                + "featurization img/s, ms per batch and GFLOP/s per image size and batch beside the plain DL4J "
                + "graph, peak RSS, decode and end-to-end featurization of a folder, and a train with a cold and a "
                + "warm feature cache.",
                "Compare ratios and medians of several runs: absolute figures are noisy on shared machines."})
final class BenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    WorkspaceOption workspaceOption;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the figures to FILE.")
    Path json;

    @Option(names = "--data", paramLabel = "DIR", defaultValue = DataOptions.DEMO_DATA,
            description = "Folder for decode, end-to-end featurization and the cold/warm train. "
                    + "Default: ${DEFAULT-VALUE}.")
    Path data;

    @Option(names = "--weights", paramLabel = "SPEC", split = ",",
            defaultValue = WeightSources.NSFWJS_SPEC + "," + WeightSources.DEFAULT_SPEC,
            description = "Weight sources to measure, in order (the first also runs the folder and train parts). "
                    + "Default: ${DEFAULT-VALUE} (widths 1.0 and 1.4).")
    List<String> weights;

    @Option(names = "--sizes", split = ",", defaultValue = "160,224", description = "Image sizes. Default: ${DEFAULT-VALUE}.")
    List<Integer> sizes;

    @Option(names = "--batches", split = ",", defaultValue = "1,8,32",
            description = "Batch sizes of the engine. Default: ${DEFAULT-VALUE}.")
    List<Integer> batches;

    @Option(names = "--seconds", defaultValue = "5",
            description = "How long each engine point is timed, after warm-up. Default: ${DEFAULT-VALUE}.")
    double seconds;

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
            options = new Bench.Options(sizes, batches, seconds, graph, graphReps, sgemmReps, data, !noTrain, epochs);
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        List<PretrainedModel> sources = weights.stream()
                .map(spec -> WeightSources.load(spec, workspaceOption.workspace())).toList();
        Map<String, Object> report = new Bench(sources, options, out).run();
        if (json != null) {
            RunFolder.writeJson(json, report);
            out.println("figures written to " + json);
        }
        return 0;
    }
}
