package io.tlwb.spark;

import io.tlwb.data.Augmentation;
import java.io.Serializable;

/** One image to featurize on an executor, with every view its augmentation needs and what a store row records. */
record Task(String path, String sha256, int label, String className, String split, Augmentation augmentation)
        implements Serializable {
}
