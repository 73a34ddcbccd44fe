package io.tlwb.cli;

import io.tlwb.pipeline.OutputSpec;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where {@code train} and {@code search} save their model. */
final class OutputOptions {

    @Option(names = "--model-out", paramLabel = "FILE",
            description = "Where to save the model zip. Default: a new file under models/.")
    Path modelOut;

    @Option(names = "--force", description = "Replace --model-out if it exists.")
    boolean force;

    OutputSpec spec(Path metricsJson) {
        return new OutputSpec(modelOut, force, metricsJson);
    }
}
