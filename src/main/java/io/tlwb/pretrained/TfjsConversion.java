package io.tlwb.pretrained;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;

/** TF.js layers model to Keras HDF5, shared by the npm source and {@code model.json} paths. */
final class TfjsConversion {
    private TfjsConversion() {
    }

    /** Writes {@code tfjs} as a Keras full-model file; nested models are flattened, configs fixed for DL4J. */
    static void writeFullModel(TfjsLayersModel tfjs, Path file) {
        ObjectNode config = tfjs.modelConfig().deepCopy();
        List<LayerWeights> layers;
        if (KerasConfigs.hasNestedModel(config)) {
            KerasConfigs.Flat flat = KerasConfigs.flatten(config, tfjs.layerWeights(allLayerNames(tfjs)),
                    file.toString());
            config = flat.modelConfig();
            layers = flat.layers();
        } else {
            layers = tfjs.layerWeights(KerasConfigs.layerNames(config));
        }
        KerasConfigs.normalize(config);
        KerasH5.writeModel(file, tfjs.kerasVersion(), tfjs.backend(), config.toString(), layers);
    }

    private static List<String> allLayerNames(TfjsLayersModel tfjs) {
        return KerasConfigs.layerNames(tfjs.modelConfig());
    }
}
