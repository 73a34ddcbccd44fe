package io.tlwb.pretrained;

import io.tlwb.Workspace;
import java.util.Optional;

/**
 * Where pretrained weights come from. Each source turns itself into a Keras HDF5 file in the workspace's weights
 * cache ({@link #fetch}) and imports that file into DL4J with its own preprocessing and cut layer ({@link #load}).
 * Instances come from {@link WeightSources#parse(String)}.
 */
public interface WeightSource {

    /** The {@code --weights} spec this source was parsed from, e.g. {@code npm:nsfwjs@4.4.0}. */
    String spec();

    /** How input pixels must be scaled for these weights. */
    Preprocessing preprocessing();

    /**
     * Makes sure the Keras HDF5 file is in the cache (fetching or converting it if needed) and returns it verified.
     *
     * @throws WeightsException naming the file and the fix when fetching, converting or verifying fails
     */
    WeightsFile fetch(Workspace workspace);

    /** {@link #fetch}, then imports the file into a DL4J graph. */
    PretrainedModel load(Workspace workspace);

    /** The name of this source's entry in the weights cache, if it keeps one (files given by path do not). */
    default Optional<String> cacheEntry() {
        return Optional.empty();
    }
}
