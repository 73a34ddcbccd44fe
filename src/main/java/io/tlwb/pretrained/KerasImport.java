package io.tlwb.pretrained;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.modelimport.keras.KerasModelImport;
import org.deeplearning4j.nn.modelimport.keras.exceptions.InvalidKerasConfigurationException;
import org.deeplearning4j.nn.modelimport.keras.exceptions.UnsupportedKerasConfigurationException;

/** The one place that calls DL4J's {@link KerasModelImport}; failures become one-line WeightsExceptions. */
final class KerasImport {
    private KerasImport() {
    }

    /** Imports a full-model file ({@code model.save} layout) without enforcing its training config. */
    static ComputationGraph fullModel(Path h5) {
        try {
            return KerasModelImport.importKerasModelAndWeights(h5.toString(), false);
        } catch (Exception | LinkageError e) {
            throw failure(h5, e);
        }
    }

    /** Imports a weights-only file with a model config JSON written next to it. */
    static ComputationGraph configAndWeights(Path configJson, Path weightsH5) {
        try {
            return KerasModelImport.importKerasModelAndWeights(configJson.toString(), weightsH5.toString(), false);
        } catch (Exception | LinkageError e) {
            throw failure(weightsH5, e);
        }
    }

    private static WeightsException failure(Path file, Throwable e) {
        String what = e instanceof UnsupportedKerasConfigurationException
                ? "uses a Keras feature DL4J 1.0.0-M2.1 does not support"
                : e instanceof InvalidKerasConfigurationException ? "is not a valid Keras model for DL4J"
                : "could not be imported (truncated or corrupt?)";
        return new WeightsException(file + " " + what + " (" + KerasH5.oneLine(e)
                + "): re-export it with Keras model.save('model.h5') or fetch it again", e);
    }

    /** The layer names of the graph in topological order. */
    static List<String> layerNames(ComputationGraph graph) {
        List<String> names = new ArrayList<>();
        int[] order = graph.topologicalSortOrder();
        var vertices = graph.getVertices();
        for (int i : order) {
            names.add(vertices[i].getVertexName());
        }
        return names;
    }
}
