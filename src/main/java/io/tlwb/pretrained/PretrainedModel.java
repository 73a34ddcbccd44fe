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
 * @param bottleneckLayer the default cut layer ({@code out_relu} for MobileNetV2)
 */
public record PretrainedModel(String spec, ComputationGraph graph, Path file, String sha256, int nativeInputSize,
                              Preprocessing preprocessing, String bottleneckLayer) {
    public PretrainedModel {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(graph, "graph");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(sha256, "sha256");
        Objects.requireNonNull(preprocessing, "preprocessing");
        Objects.requireNonNull(bottleneckLayer, "bottleneckLayer");
        if (graph.getConfiguration().getVertices().get(bottleneckLayer) == null) {
            throw new IllegalArgumentException("bottleneck layer '" + bottleneckLayer + "' is not in the graph of " + spec);
        }
    }
}
