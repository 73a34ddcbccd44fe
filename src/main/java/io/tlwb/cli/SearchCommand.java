package io.tlwb.cli;

import io.tlwb.RunFolder;
import io.tlwb.Workspace;
import io.tlwb.pipeline.HeadRecipe;
import io.tlwb.pretrained.PretrainedModel;
import io.tlwb.train.TrainingDefaults;
import io.tlwb.tune.HyperparameterSearch;
import io.tlwb.tune.ScoreMetric;
import io.tlwb.tune.SearchDashboard;
import io.tlwb.tune.SearchOptions;
import io.tlwb.tune.SearchSpace;
import io.tlwb.tune.SearchStrategy;
import io.tlwb.ui.Dashboard;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "search", sortOptions = false,
        description = {"Search the head's hyperparameters with Arbiter: featurize once, train many heads on the "
                + "cached features, rank them on the validation split and save the best as a model zip.",
                "Searched by default: learning rate (log-uniform), dropout, hidden width (0 = linear), L2, batch size, "
                        + "updater and epochs; --space FILE narrows or widens that (see the tune.SearchSpace docs)."})
final class SearchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    WorkspaceOption workspaceOption;

    @Mixin
    DataOptions dataOptions;

    @Option(names = "--strategy", defaultValue = "random",
            description = "random or grid (grid points visited in a seeded random order). Default: ${DEFAULT-VALUE}.")
    SearchStrategy strategy;

    @Option(names = "--candidates", paramLabel = "N", defaultValue = "20",
            description = "Stop after N candidates. Default: ${DEFAULT-VALUE}.")
    int candidates;

    @Option(names = "--max-minutes", paramLabel = "M", defaultValue = "0",
            description = "Start no candidate after M minutes (fractions allowed); 0 = no limit. Default: ${DEFAULT-VALUE}.")
    double maxMinutes;

    @Option(names = "--score", defaultValue = "accuracy",
            description = "accuracy or loss, on the validation split. Default: ${DEFAULT-VALUE}.")
    ScoreMetric score;

    @Option(names = "--space", paramLabel = "FILE", description = "Search space JSON file; keys not in it keep the default space.")
    Path space;

    @Option(names = "--grid-points", paramLabel = "K", defaultValue = "3",
            description = "Grid search: points per continuous range. Default: ${DEFAULT-VALUE}.")
    int gridPoints;

    @Option(names = "--no-reference", negatable = false,
            description = "Do not train train's default head first for comparison.")
    boolean noReference;

    @Mixin
    UiOptions ui;

    @Mixin
    OutputOptions output;

    @Override
    public Integer call() throws IOException {
        SearchOptions options;
        try {
            SearchSpace searchSpace = space == null ? SearchSpace.DEFAULT : SearchSpace.read(space);
            // train's defaults, trained first so the table shows what the search gained
            HeadRecipe reference = noReference ? null : new HeadRecipe(TrainingDefaults.HEAD,
                    TrainingDefaults.BATCH_SIZE, TrainingDefaults.EPOCHS, SearchSpace.DEFAULT_CUT);
            options = new SearchOptions(dataOptions.dataSpec(), dataOptions.featureSpec(), searchSpace, strategy,
                    candidates, maxMinutes, score, gridPoints, reference, output.spec(null));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        Workspace workspace = workspaceOption.workspace();
        PrintWriter out = spec.commandLine().getOut();
        PretrainedModel base = dataOptions.loadWeights(workspace, out);
        RunFolder run = RunFolder.create(workspace.runsDir(), "search");
        try (SearchDashboard search = SearchDashboard.recordTo(run);
             Dashboard dashboard = ui.startIfWanted(out)) {
            if (dashboard != null) {
                dashboard.attach(search.storage());
                out.println("Arbiter dashboard: " + dashboard.arbiterUrl());
            }
            new HyperparameterSearch(workspace, out, System.err).addStatusListeners(search.listener())
                    .run(base, options, run);
            if (dashboard != null) {
                dashboard.waitUntilStopped(ui.stopSignal, out);
            }
        }
        return 0;
    }
}
