package io.tlwb.pretrained;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KerasH5Test {

    @TempDir
    Path tmp;

    private static List<LayerWeights> layers() {
        return List.of(new LayerWeights("Conv1", List.of(
                        new Tensor("Conv1/kernel:0", new long[] {1, 1, 2, 3}, new float[] {1, 2, 3, 4, 5, 6}))),
                new LayerWeights("bn_Conv1", List.of(
                        new Tensor("bn_Conv1/gamma:0", new long[] {3}, new float[] {1, 1, 1}),
                        new Tensor("bn_Conv1/beta:0", new long[] {3}, new float[] {0, 0.5f, 0}))));
    }

    /** Same weights, same bytes: a converted file's sha256 keys feature caches and stores on every machine. */
    @Test
    void theSameWeightsWrittenTwiceGiveIdenticalFiles() throws Exception {
        Path first = tmp.resolve("a.h5");
        Path second = tmp.resolve("b.h5");
        KerasH5.writeModel(first, "2.2.4", "tensorflow", "{\"class_name\": \"Model\"}", layers());
        Thread.sleep(1100); // HDF5 times have a resolution of a second
        KerasH5.writeModel(second, "2.2.4", "tensorflow", "{\"class_name\": \"Model\"}", layers());
        assertEquals(-1, Files.mismatch(first, second));

        KerasH5.Contents read = KerasH5.read(second);
        assertEquals(List.of("Conv1", "bn_Conv1"), read.layers().stream().map(LayerWeights::layer).toList());
        assertArrayEquals(new float[] {0, 0.5f, 0}, read.layers().get(1).weights().get(1).data());
    }
}
