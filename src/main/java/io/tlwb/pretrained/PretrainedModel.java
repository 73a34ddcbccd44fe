package io.tlwb.pretrained;

import java.nio.file.Path;
import java.util.Objects;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * A pretrained base imported into DL4J, with everything later stages need to use it correctly.
 *
 * <p>The graph takes NHWC RGB input {@code [batch, height, width, 3]} already scaled by {@link #preprocessing()}.
 * Convolutions are size-agnostic, so any square input size works once the classifier top is cut away.
 *
 * @param spec            the {@code --weights} spec it came from, e.g. {@code npm:nsfwjs@4.4.0}
 * @param graph           the imported graph, including whatever top the source had
 * @param file            the Keras HDF5 file that was imported (cached under {@code models/})
 * @param sha256          hex sha256 of {@code file}: the identity of these weights in caches and model cards
 * @param nativeInputSize the square input size the weights were trained at
 * @param preprocessing   how to scale RGB pixels for this source
 * @param bottleneckLayer the last feature layer ({@code out_relu} for MobileNetV2)
 * @param defaultCutLayer where {@code train} cuts when not told: the bottleneck, unless the source knows a better
 *                        layer for transfer (the nsfwjs models, whose top blocks were tuned on NSFW data)
 */
public record PretrainedModel(String spec, ComputationGraph graph, Path file, String sha256, int nativeInputSize,
                              Preprocessing preprocessing, String bottleneckLayer, String defaultCutLayer) {

    /** The layer a head reads: {@code asked}, or this source's {@link #defaultCutLayer} when it is null. */
    public String cutLayerOr(String asked) {
        return asked == null ? defaultCutLayer : asked;
    }

    /** A base cut at its bottleneck by default. */
    public PretrainedModel(String spec, ComputationGraph graph, Path file, String sha256, int nativeInputSize,
                           Preprocessing preprocessing, String bottleneckLayer) {
        this(spec, graph, file, sha256, nativeInputSize, preprocessing, bottleneckLayer, bottleneckLayer);
    }

    public PretrainedModel {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(graph, "graph");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(sha256, "sha256");
        Objects.requireNonNull(preprocessing, "preprocessing");
        Objects.requireNonNull(bottleneckLayer, "bottleneckLayer");
        for (String layer : new String[]{bottleneckLayer, Objects.requireNonNull(defaultCutLayer, "defaultCutLayer")}) {
            if (graph.getConfiguration().getVertices().get(layer) == null) {
                throw new IllegalArgumentException("layer '" + layer + "' is not in the graph of " + spec);
            }
        }
    }
}
