package io.tlwb.cli;

import io.tlwb.Workspace;
import io.tlwb.data.Augmentation;
import io.tlwb.model.TestTimeAugmentation;
import io.tlwb.pipeline.DataSpec;
import io.tlwb.pipeline.FeatureSpec;
import io.tlwb.pretrained.PretrainedModel;
import io.tlwb.pretrained.WeightSources;
import io.tlwb.train.TrainingDefaults;
import java.io.PrintWriter;
import picocli.CommandLine.Option;

/** What {@code train} and {@code search} both read: the images, the weights, and how images become input. */
final class DataOptions {

    /** The demo dataset shipped in data/, so the first command works offline. */
    static final String DEMO_DATA = "data/tuxpaint-photos";

    @Option(names = "--data", paramLabel = "DIR|CSV", defaultValue = DEMO_DATA,
            description = "Image folder (DIR/<class>/* or DIR/train|validation/<class>/*), or a CSV manifest with "
                    + "path,label[,split] columns; with --spark, also such a folder on a Hadoop filesystem "
                    + "(hdfs://..., s3a://...). Default: ${DEFAULT-VALUE} (the bundled demo photos).")
    String data;

    @Option(names = "--weights", paramLabel = "SPEC", defaultValue = WeightSources.AUTO,
            description = "Pretrained weights: auto (the ImageNet " + WeightSources.IMAGENET_SPEC + " when cached, "
                    + "else the offline " + WeightSources.DEFAULT_SPEC + "), npm:nsfwjs@4.4.0[#mobilenet_v2_mid], "
                    + "keras:mobilenet_v2_<alpha>_<size>, or a path. Default: ${DEFAULT-VALUE}.")
    String weights;

    @Option(names = "--image-size", paramLabel = "PX", description = "Images are resized to PX x PX. Default: ${DEFAULT-VALUE}.")
    int imageSize = TrainingDefaults.IMAGE_SIZE;

    @Option(names = "--augment", paramLabel = "MODE",
            description = "Training augmentation: none, flip or flip-rotate (cached as extra views). Default: ${DEFAULT-VALUE}.")
    Augmentation augment = TrainingDefaults.AUGMENTATION;

    @Option(names = "--validation-split", paramLabel = "FRACTION",
            description = "Held out per class when DIR has no validation folder. Default: ${DEFAULT-VALUE}.")
    double validationSplit = TrainingDefaults.VALIDATION_SPLIT;

    @Option(names = "--seed", description = "Seeds the split, shuffling, dropout, initialization and search. Default: ${DEFAULT-VALUE}.")
    long seed = TrainingDefaults.SEED;

    @Option(names = "--tta", paramLabel = "MODE",
            description = "Test-time augmentation for the validation figures, recorded in the model card as the "
                    + "default of evaluate and predict: none, or flip (average with the mirror image). "
                    + "Default: ${DEFAULT-VALUE}.")
    TestTimeAugmentation tta = TrainingDefaults.TTA;

    /** The weights {@code --weights} means here (saying which when it was {@code auto}), loaded. */
    PretrainedModel loadWeights(Workspace workspace, PrintWriter out) {
        WeightSources.Choice choice = WeightSources.choose(weights, workspace);
        if (choice.note() != null) {
            out.println(choice.note());
        }
        return WeightSources.load(choice.spec(), workspace);
    }

    DataSpec dataSpec() {
        return DataSpec.of(data, validationSplit, seed);
    }

    FeatureSpec featureSpec() {
        return new FeatureSpec(imageSize, augment, tta);
    }
}
