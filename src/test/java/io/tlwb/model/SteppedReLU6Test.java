package io.tlwb.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.impl.ActivationReLU6;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class SteppedReLU6Test {

    @Test
    void theGradientIsDl4jsReLU6sAtEveryValueTheEdgesIncluded() {
        INDArray edges = Nd4j.createFromArray(-1f, 0f, Math.nextUp(0f), 3f, Math.nextDown(6f), 6f, Math.nextUp(6f), 9f);
        INDArray random = Nd4j.rand(DataType.FLOAT, 4, 5, 5, 7).muli(10).subi(2);
        for (INDArray x : new INDArray[] {edges, random}) {
            INDArray epsilon = Nd4j.rand(DataType.FLOAT, x.shape()).addi(0.5);
            INDArray expected = new ActivationReLU6().backprop(x.dup(), epsilon).getFirst();
            INDArray actual = new SteppedReLU6().backprop(x.dup(), epsilon).getFirst();
            assertArrayEquals(expected.ravel().toFloatVector(), actual.ravel().toFloatVector(), 0f);
            assertArrayEquals(new ActivationReLU6().getActivation(x.dup(), true).ravel().toFloatVector(),
                    new SteppedReLU6().getActivation(x.dup(), true).ravel().toFloatVector(), 0f);
        }
    }
}
