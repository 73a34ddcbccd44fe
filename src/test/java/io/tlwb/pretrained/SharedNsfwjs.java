package io.tlwb.pretrained;

import io.tlwb.testing.OfflineWeights;
import io.tlwb.Workspace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One nsfwjs fetch (npm pack + conversion) and one DL4J import per model and test run, shared by the tests that need
 * the real weights: {@link #model()} is {@link WeightSources#NSFWJS_SPEC}, {@link #midModel()}
 * {@link WeightSources#MID_SPEC}. The workspace lives in a temp folder removed when the JVM exits. Tests must not
 * modify the graphs.
 */
final class SharedNsfwjs {
    private static Workspace workspace;
    private static WeightsFile file;
    private static PretrainedModel model;
    private static WeightsFile midFile;
    private static PretrainedModel midModel;

    private SharedNsfwjs() {
    }

    static synchronized Workspace workspace() {
        if (workspace == null) {
            try {
                Path dir = Files.createTempDirectory("tlwb-test-nsfwjs-");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> NpmWeightSource.deleteTree(dir)));
                workspace = new Workspace(dir);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return workspace;
    }

    static synchronized WeightsFile file() {
        if (file == null) {
            OfflineWeights.assumeFetched(WeightSources.NSFWJS_SPEC, workspace());
            file = WeightSources.parse(WeightSources.NSFWJS_SPEC).fetch(workspace());
        }
        return file;
    }

    static synchronized PretrainedModel model() {
        if (model == null) {
            file();
            model = WeightSources.load(WeightSources.NSFWJS_SPEC, workspace());
        }
        return model;
    }

    static synchronized WeightsFile midFile() {
        if (midFile == null) {
            OfflineWeights.assumeFetched(WeightSources.MID_SPEC, workspace());
            midFile = WeightSources.parse(WeightSources.MID_SPEC).fetch(workspace());
        }
        return midFile;
    }

    static synchronized PretrainedModel midModel() {
        if (midModel == null) {
            midFile();
            midModel = WeightSources.load(WeightSources.MID_SPEC, workspace());
        }
        return midModel;
    }
}
