package io.tlwb.cli;

import io.tlwb.RunFolder;
import io.tlwb.Workspace;
import io.tlwb.model.HeadConfig;
import io.tlwb.model.Updater;
import io.tlwb.pipeline.Clusters;
import io.tlwb.pipeline.DataSpec;
import io.tlwb.pipeline.FeatureStore;
import io.tlwb.pipeline.HeadRecipe;
import io.tlwb.pipeline.LocalFeatureStore;
import io.tlwb.pipeline.TrainingJob;
import io.tlwb.pipeline.TrainingOptions;
import io.tlwb.pipeline.TrainingResult;
import io.tlwb.pretrained.PretrainedModel;
import io.tlwb.report.RunReport;
import io.tlwb.serve.Predictor;
import io.tlwb.train.ClassWeighting;
import io.tlwb.train.EarlyStopping;
import io.tlwb.train.FineTuning;
import io.tlwb.train.TrainingDefaults;
import io.tlwb.ui.LiveRun;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "train", sortOptions = false,
        description = {"Train a classifier head on a frozen pretrained MobileNetV2: evaluate it untrained, train, "
                + "evaluate again, save the model zip and keep a run folder.",
                "Folder layouts: DIR/train/<class>/* with DIR/validation|val|test/<class>/*, or DIR/<class>/* split "
                        + "by --validation-split."})
final class TrainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    WorkspaceOption workspaceOption;

    @Mixin
    DataOptions dataOptions;

    @Mixin
    DashboardOptions dashboard;

    @Mixin
    CutLayerOption cutLayer;

    @Option(names = "--epochs", description = "Default: ${DEFAULT-VALUE}.")
    int epochs = TrainingDefaults.EPOCHS;

    @Option(names = "--batch-size", description = "Default: ${DEFAULT-VALUE}.")
    int batchSize = TrainingDefaults.BATCH_SIZE;

    @Option(names = "--lr", paramLabel = "RATE", description = "Learning rate. Default: ${DEFAULT-VALUE}.")
    double learningRate = TrainingDefaults.HEAD.learningRate();

    @Option(names = "--updater", description = "adam, nesterovs or rmsprop. Default: ${DEFAULT-VALUE}.")
    Updater updater = TrainingDefaults.HEAD.updater();

    @Option(names = "--dropout", description = "Fraction dropped before the classifier. Default: ${DEFAULT-VALUE}.")
    double dropout = TrainingDefaults.HEAD.dropout();

    @Option(names = "--hidden", paramLabel = "UNITS",
            description = "Width of a hidden ReLU layer in the head; 0 = linear head. Default: ${DEFAULT-VALUE}.")
    int hidden = TrainingDefaults.HEAD.hiddenUnits();

    @Option(names = "--standardize", negatable = true, fallbackValue = "true",
            description = "Standardize each pooled feature over the training images (--no-standardize: raw). "
                    + "Default: ${DEFAULT-VALUE}.")
    boolean standardize = TrainingDefaults.HEAD.standardize();

    @Option(names = "--l2", description = "L2 penalty on the head's weights. Default: ${DEFAULT-VALUE}.")
    double l2 = TrainingDefaults.HEAD.l2();

    @Option(names = "--class-weights", paramLabel = "MODE",
            description = "none, or balanced: each class weighs the inverse of its frequency in the loss (for "
                    + "imbalanced data). Default: ${DEFAULT-VALUE}.")
    ClassWeighting classWeights = ClassWeighting.NONE;

    @Option(names = "--early-stopping", paramLabel = "PATIENCE",
            description = "Stop the head's training when the loss on a slice held out of the training split has not "
                    + "improved for PATIENCE epochs, and keep its best epoch. Default: off (every epoch runs).")
    Integer earlyStoppingPatience;

    @Option(names = "--early-stopping-split", paramLabel = "FRACTION",
            description = "Fraction of each class's training images held out for --early-stopping (seeded, "
                    + "stratified; not the validation split). Default: ${DEFAULT-VALUE}.")
    double earlyStoppingSplit = 0.1;

    @Option(names = "--fine-tune-from", paramLabel = "LAYER|auto",
            description = "After the head, retrain the base's layers above LAYER (up to the cut) with it, batch norms "
                    + "in inference mode, from cached activations of LAYER; e.g. block_12_add (block_10_project_BN for "
                    + "npm:nsfwjs@4.4.0). 'auto' fine-tunes from the residual block nearest below the cut when "
                    + "the smallest class has at least " + FineTuning.MIN_IMAGES_PER_CLASS + " training images. "
                    + "Default: ${DEFAULT-VALUE}.")
    String fineTuneFrom = FineTuning.AUTO;

    @Option(names = "--no-fine-tune", description = "Train the head only, whatever the data.")
    boolean noFineTune;

    @Option(names = "--fine-tune-epochs", paramLabel = "N",
            description = "Epochs of fine-tuning. Default: ${DEFAULT-VALUE}.")
    int fineTuneEpochs = TrainingDefaults.FINE_TUNE_EPOCHS;

    @Option(names = "--fine-tune-lr", paramLabel = "RATE",
            description = "Learning rate of fine-tuning, with --updater. Default: ${DEFAULT-VALUE}.")
    double fineTuneLearningRate = TrainingDefaults.FINE_TUNE_LEARNING_RATE;

    @Mixin
    OutputOptions output;

    @Option(names = "--spark", paramLabel = "MASTER",
            description = "Featurize on Apache Spark at MASTER (local[*], local-cluster[N,cores,MB], spark://host:port, "
                    + "yarn, k8s://...); needs the Spark build (mvn -Pspark). Default: this machine.")
    String sparkMaster;

    @Option(names = "--features", paramLabel = "STORE",
            description = "With --spark: keep the features as Parquet rows in STORE (a folder or Hadoop URI, as "
                    + "featurize --out writes it); images it already holds are not decoded again. Without --data, "
                    + "train on the images the store holds rows for, with their classes and splits, reading none.")
    String featureStore;

    @Option(names = "--metrics-json", paramLabel = "FILE", description = "Also write the metrics to FILE.")
    Path metricsJson;

    /** The images: those of {@code --data}, or with {@code --features} and no {@code --data}, those the store holds. */
    private DataSpec dataSpec() {
        boolean dataGiven = spec.commandLine().getParseResult().hasMatchedOption("--data");
        return featureStore != null && !dataGiven ? DataSpec.inFeatureStore(featureStore, dataOptions.seed)
                : dataOptions.dataSpec();
    }

    /** The fine-tuning asked for: none, a layer, or {@code auto} (decided once the data is scanned). */
    private FineTuning fineTuning() {
        boolean layerGiven = spec.commandLine().getParseResult().hasMatchedOption("--fine-tune-from");
        if (noFineTune && layerGiven) {
            throw new IllegalArgumentException("--no-fine-tune and --fine-tune-from contradict each other: give one");
        }
        return noFineTune ? null : new FineTuning(fineTuneFrom, fineTuneEpochs, fineTuneLearningRate);
    }

    @Override
    public Integer call() {
        TrainingOptions options;
        HeadConfig head;
        try {
            head = new HeadConfig(standardize, hidden, dropout, l2, updater, learningRate);
            options = new TrainingOptions(dataSpec(), dataOptions.featureSpec(),
                    new HeadRecipe(head, batchSize, epochs, cutLayer.layer),
                    fineTuning(),
                    output.spec(metricsJson), classWeights, earlyStoppingPatience == null ? null
                            : new EarlyStopping(earlyStoppingPatience, earlyStoppingSplit));
            if (featureStore != null && sparkMaster == null) {
                throw new IllegalArgumentException("--features STORE needs --spark MASTER: Spark reads and writes "
                        + "the store (local[*] runs it on this machine)");
            }
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        Workspace workspace = workspaceOption.workspace();
        PrintWriter out = spec.commandLine().getOut();
        // the feature store first: a --spark this build cannot serve is said before weights load or a run folder exists
        try (FeatureStore features = sparkMaster == null ? new LocalFeatureStore(workspace, out, System.err)
                : Clusters.connect("--spark", sparkMaster, featureStore, workspace, out,
                        System.err)) {
            PretrainedModel base = dataOptions.loadWeights(workspace, out);
            RunFolder run = RunFolder.create(workspace.runsDir(), "train");
            try (LiveRun live = dashboard.begin(run, out)) {
                TrainingResult result = TrainingJob.featurizingWith(features, workspace, out)
                        .addListeners(live.listener())
                        .onIterationsPlanned(live::planFor)
                        .run(base, options, run);
                out.println("report: " + RunReport.write(result, new Predictor(result.model())::activationOverlay));
                live.holdOpen(out);
            }
        }
        return 0;
    }
}
