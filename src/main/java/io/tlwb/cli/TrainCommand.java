package io.tlwb.cli;

import io.tlwb.RunFolder;
import io.tlwb.Workspace;
import io.tlwb.data.Augmentation;
import io.tlwb.model.HeadConfig;
import io.tlwb.model.TestTimeAugmentation;
import io.tlwb.model.Updater;
import io.tlwb.pretrained.PretrainedModel;
import io.tlwb.pretrained.WeightSources;
import io.tlwb.train.TrainingJob;
import io.tlwb.train.TrainingOptions;
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

    /** The demo dataset shipped in data/, so the first command works offline. */
    static final String DEMO_DATA = "data/tuxpaint-photos";

    @Spec
    CommandSpec spec;

    @Mixin
    WorkspaceOption workspaceOption;

    @Option(names = "--data", paramLabel = "DIR", defaultValue = DEMO_DATA,
            description = "Image folder. Default: ${DEFAULT-VALUE} (the bundled demo photos).")
    Path data;

    @Option(names = "--weights", paramLabel = "SPEC", defaultValue = WeightSources.DEFAULT_SPEC,
            description = "Pretrained weights: npm:nsfwjs@4.4.0, keras:mobilenet_v2_<alpha>_<size>, or a path. "
                    + "Default: ${DEFAULT-VALUE}.")
    String weights;

    @Option(names = "--image-size", paramLabel = "PX", defaultValue = "160",
            description = "Images are resized to PX x PX. Default: ${DEFAULT-VALUE}.")
    int imageSize;

    @Option(names = "--cut-layer", paramLabel = "LAYER",
            description = "Base layer the head reads; everything up to it is frozen. Default: block_13_expand_relu for "
                    + "the offline nsfwjs weights (its top blocks were tuned on NSFW data), else the bottleneck "
                    + "(out_relu).")
    String cutLayer;

    @Option(names = "--epochs", defaultValue = "30", description = "Default: ${DEFAULT-VALUE}.")
    int epochs;

    @Option(names = "--batch-size", defaultValue = "32", description = "Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--lr", paramLabel = "RATE", defaultValue = "3e-3", description = "Learning rate. Default: ${DEFAULT-VALUE}.")
    double learningRate;

    @Option(names = "--updater", defaultValue = "adam",
            description = "adam, nesterovs or rmsprop. Default: ${DEFAULT-VALUE}.")
    String updater;

    @Option(names = "--dropout", defaultValue = "0.2", description = "Fraction dropped before the classifier. Default: ${DEFAULT-VALUE}.")
    double dropout;

    @Option(names = "--hidden", paramLabel = "UNITS", defaultValue = "0",
            description = "Width of a hidden ReLU layer in the head; 0 = linear head. Default: ${DEFAULT-VALUE}.")
    int hidden;

    @Option(names = "--no-standardize",
            description = "Feed the head raw pooled features instead of per-feature standardized ones.")
    boolean noStandardize;

    @Option(names = "--l2", defaultValue = "0.1", description = "L2 penalty on the head's weights. Default: ${DEFAULT-VALUE}.")
    double l2;

    @Option(names = "--augment", paramLabel = "MODE", defaultValue = "none",
            description = "Training augmentation: none, flip or flip-rotate (cached as extra views). Default: ${DEFAULT-VALUE}.")
    String augment;

    @Option(names = "--tta", paramLabel = "MODE", defaultValue = "flip",
            description = "Test-time augmentation for the validation figures, recorded in the model card as the "
                    + "default of evaluate and predict: none, or flip (average with the mirror image). "
                    + "Default: ${DEFAULT-VALUE}.")
    String tta;

    @Option(names = "--validation-split", paramLabel = "FRACTION", defaultValue = "0.2",
            description = "Held out per class when DIR has no validation folder. Default: ${DEFAULT-VALUE}.")
    double validationSplit;

    @Option(names = "--seed", defaultValue = "42", description = "Seeds the split, shuffling, dropout and init. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--model-out", paramLabel = "FILE",
            description = "Where to save the model zip. Default: a new file under models/.")
    Path modelOut;

    @Option(names = "--force", description = "Replace --model-out if it exists.")
    boolean force;

    @Option(names = "--metrics-json", paramLabel = "FILE", description = "Also write the metrics to FILE.")
    Path metricsJson;

    @Override
    public Integer call() {
        TrainingOptions options;
        HeadConfig head;
        try {
            head = new HeadConfig(!noStandardize, hidden, dropout, l2, Updater.parse(updater), learningRate);
            options = new TrainingOptions(data, validationSplit, imageSize, cutLayer, head, epochs, batchSize, seed,
                    Augmentation.parse(augment), modelOut, force, metricsJson, TestTimeAugmentation.parse(tta));
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        Workspace workspace = workspaceOption.workspace();
        PrintWriter out = spec.commandLine().getOut();
        PretrainedModel base = WeightSources.load(weights, workspace);
        RunFolder run = RunFolder.create(workspace.runsDir(), "train");
        new TrainingJob(workspace, out, System.err).run(base, options, run);
        return 0;
    }
}
