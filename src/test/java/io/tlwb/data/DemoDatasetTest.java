package io.tlwb.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dataset shipped in {@code data/} stays usable, small and documented. */
class DemoDatasetTest {

    static final Path DEMO = Path.of("data", "tuxpaint-photos");

    @Test
    void demoDatasetOpensCleanlyWithEnoughImagesPerClass() {
        ImageDataset ds = ImageFolders.open(DEMO, 0.2, 42);
        assertEquals(List.of("birds", "flowers", "fruit", "mammals"), ds.classes());
        assertTrue(ds.skipped().isEmpty(), ds.skippedReport());
        List<LabeledImage> all = new ArrayList<>(ds.train());
        all.addAll(ds.validation());
        assertEquals(all.size(), all.stream().map(LabeledImage::sha256).distinct().count(), "no duplicate photos");
        int[] train = ds.countPerClass(ds.train());
        int[] validation = ds.countPerClass(ds.validation());
        assertTrue(Arrays.stream(train).allMatch(n -> n >= 15), Arrays.toString(train));
        assertTrue(Arrays.stream(validation).allMatch(n -> n >= 4), Arrays.toString(validation));
    }

    @Test
    void demoDatasetIsSmallAndEveryImageHasItsSource() throws IOException {
        long bytes;
        long images;
        try (Stream<Path> files = Files.walk(DEMO)) {
            bytes = files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
        try (Stream<Path> files = Files.walk(DEMO)) {
            images = files.filter(p -> p.toString().endsWith(".jpg")).count();
        }
        assertTrue(bytes < 10L * 1024 * 1024, bytes + " bytes");
        String sources = Files.readString(Path.of("data", "tuxpaint-photos.sources.tsv"));
        assertEquals(images, sources.lines().count() - 1, "one line per image in tuxpaint-photos.sources.tsv");
        assertTrue(Files.readString(Path.of("data", "README.md")).contains("GPL-2"));
    }

    @Test
    void filesListsAFolderRecursivelyWithoutHiddenFiles(@TempDir Path root) {
        Path a = Fixtures.distinctPng(root.resolve("a.png"), 8, 1);
        Path b = Fixtures.distinctPng(root.resolve("sub/b.png"), 8, 2);
        Fixtures.distinctPng(root.resolve(".hidden/c.png"), 8, 3);
        Fixtures.distinctPng(root.resolve("sub/.d.png"), 8, 4);
        assertEquals(List.of(a, b), ImageFolders.files(root));
        assertEquals(List.of(a), ImageFolders.files(a));
    }
}
