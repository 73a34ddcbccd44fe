package io.tlwb.features;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Frees arrays made for one batch now rather than when the JVM next collects: fresh native memory is dear on a VM
 * (first touches of its pages), freed memory is reused.
 */
final class OffHeap {

    private OffHeap() {
    }

    /** Closes each array once; nulls, views and arrays already freed are skipped. */
    static void release(INDArray... arrays) {
        Set<INDArray> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (INDArray array : arrays) {
            if (array != null && seen.add(array) && !array.wasClosed() && array.closeable()) {
                array.close();
            }
        }
    }
}
