package io.tlwb.cli;

import io.tlwb.WorkbenchException;
import io.tlwb.Workspace;
import io.tlwb.data.ImageDataset;
import io.tlwb.features.Pooling;
import io.tlwb.features.View;
import io.tlwb.model.GraphSurgery;
import io.tlwb.pipeline.Clusters;
import io.tlwb.pipeline.DataSpec;
import io.tlwb.pipeline.FeatureSpec;
import io.tlwb.pipeline.FeatureSplits;
import io.tlwb.pipeline.FeatureStore;
import io.tlwb.pretrained.PretrainedModel;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code tlwb featurize}: a folder's features computed once on a Spark cluster into a Parquet feature store. */
@Command(name = "featurize",
        description = {
                "Featurize an image folder on Apache Spark into a Parquet feature store: one row per image and view "
                        + "(sha256, path, class, split, view, featurizer, features), appended a chunk at a time by "
                        + "the executors. A rerun, or train --spark MASTER --features STORE with the same settings, "
                        + "computes only what the store does not hold yet. Needs the Spark build (mvn -Pspark)."})
final class FeaturizeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    WorkspaceOption workspaceOption;

    @Mixin
    DataOptions dataOptions;

    @Mixin
    CutLayerOption cutLayer;

    @Option(names = "--spark", paramLabel = "MASTER", required = true,
            description = "Where Spark runs: local[*], local-cluster[N,cores,MB], spark://host:port, yarn, k8s://...")
    String sparkMaster;

    @Option(names = "--out", paramLabel = "STORE", required = true,
            description = "The feature store: a folder or any Hadoop filesystem URI (created if absent).")
    String store;

    @Override
    public Integer call() {
        DataSpec data;
        FeatureSpec features;
        try {
            data = dataOptions.dataSpec();
            features = dataOptions.featureSpec();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        Workspace workspace = workspaceOption.workspace();
        PrintWriter out = spec.commandLine().getOut();
        try (FeatureStore cluster = Clusters.connect("--spark", sparkMaster, store, workspace, out,
                System.err)) {
            PretrainedModel base = dataOptions.loadWeights(workspace, out);
            String cut = base.cutLayerOr(cutLayer.layer);
            try {
                GraphSurgery.requireLayer(base.graph(), cut);
            } catch (IllegalArgumentException e) {
                throw new WorkbenchException("--cut-layer: " + e.getMessage());
            }
            ImageDataset images = cluster.open(data);
            out.printf(Locale.ROOT, "data: %s - %s%n", images.root(), images.summary());
            FeatureSplits splits = cluster.featurize(base, features, cut, Pooling.AVERAGE, images);
            out.printf(Locale.ROOT, "%s holds %s cut at %s (%d features a view): %d train images x %s, %d validation "
                            + "images x %s%n", store, base.spec(), cut, splits.train().featureSize(),
                    splits.train().size(), View.forAugmentation(features.augmentation()).stream().map(View::name)
                            .toList(),
                    splits.validation().size(),
                    splits.validation().viewNames().stream().map(View::name).toList());
        }
        return 0;
    }
}
