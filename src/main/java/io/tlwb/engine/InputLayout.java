package io.tlwb.engine;

import static org.bytedeco.dnnl.global.dnnl.dnnl_nchw;
import static org.bytedeco.dnnl.global.dnnl.dnnl_nhwc;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * How an NHWC batch {@code [b, h, w, 3]} of floats lies in memory when a plan can read it where it is: dense NHWC, or
 * a dense NCHW buffer permuted to NHWC (what DataVec's image reader fills). Either way each image is one contiguous
 * block, so batches split by image; the plan's one input reorder reads either layout.
 */
enum InputLayout {
    NHWC(dnnl_nhwc),
    NCHW(dnnl_nchw);

    final int dnnlTag;

    InputLayout(int dnnlTag) {
        this.dnnlTag = dnnlTag;
    }

    /** The layout of {@code nhwc}'s memory, or null when it must be copied first (a slice, another type, strides). */
    static InputLayout of(INDArray nhwc) {
        if (nhwc.dataType() != DataType.FLOAT || nhwc.offset() != 0) {
            return null;
        }
        long h = nhwc.size(1);
        long w = nhwc.size(2);
        long c = nhwc.size(3);
        long[] strides = nhwc.stride();
        if (Arrays.equals(strides, Nd4j.getStrides(nhwc.shape(), 'c'))) {
            return NHWC;
        }
        return Arrays.equals(strides, new long[]{c * h * w, w, 1, h * w}) ? NCHW : null;
    }
}
