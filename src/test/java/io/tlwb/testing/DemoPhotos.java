package io.tlwb.testing;

import io.tlwb.data.ImagePipeline;
import io.tlwb.pretrained.Preprocessing;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Real photos for tests that need the real weights: the first demo photo of each class, as one NHWC batch. */
public final class DemoPhotos {

    private static final List<String> CLASSES = List.of("birds", "flowers", "fruit", "mammals");

    private DemoPhotos() {
    }

    /** One photo per demo class, {@code [4, size, size, 3]}, preprocessed as {@code preprocessing} says. */
    public static INDArray batch(int size, Preprocessing preprocessing) {
        ImagePipeline pipeline = new ImagePipeline(size, preprocessing);
        INDArray[] images = CLASSES.stream().map(c -> Path.of("data/tuxpaint-photos", c))
                .map(DemoPhotos::firstImage).map(pipeline::load).toArray(INDArray[]::new);
        return Nd4j.concat(0, images);
    }

    private static Path firstImage(Path folder) {
        try (var files = Files.list(folder)) {
            return files.filter(f -> f.toString().endsWith(".jpg")).sorted().findFirst().orElseThrow();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the demo photos in " + folder, e);
        }
    }
}
