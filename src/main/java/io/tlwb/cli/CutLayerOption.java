package io.tlwb.cli;

import picocli.CommandLine.Option;

/** {@code --cut-layer}: where the frozen base ends, for the commands that featurize or train. */
final class CutLayerOption {
    @Option(names = "--cut-layer", paramLabel = "LAYER",
            description = "Base layer the head reads; everything up to it is frozen. Default: block_13_expand_relu for "
                    + "the offline nsfwjs weights (their top blocks were tuned on NSFW data), else the bottleneck "
                    + "(out_relu).")
    String layer;
}
