package io.tlwb.pretrained;

import java.util.List;
import java.util.Objects;

/**
 * The weights of one Keras layer in the order Keras lists them ({@code weight_names}); empty for layers without any.
 */
record LayerWeights(String layer, List<Tensor> weights) {
    LayerWeights {
        Objects.requireNonNull(layer, "layer");
        weights = List.copyOf(weights);
    }

    long parameterCount() {
        return weights.stream().mapToLong(Tensor::size).sum();
    }
}
