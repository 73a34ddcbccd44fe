package io.tlwb.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFoldersTest {

    @TempDir
    Path dir;

    @Test
    void classFoldersAreSplitStratifiedAndReproducibly() {
        Path root = Fixtures.classFolders(dir.resolve("ds"), 10, "cats", "dogs");
        Fixtures.classFolders(root, 3, "birds");
        ImageDataset a = ImageFolders.open(root, 0.2, 7);
        assertEquals(List.of("birds", "cats", "dogs"), a.classes());
        assertEquals(23, a.train().size() + a.validation().size());
        assertEquals(List.of(1, 2, 2), Stream.of(a.countPerClass(a.validation())).flatMapToInt(java.util.Arrays::stream)
                .boxed().toList(), "round(n * 0.2) per class, at least one");
        ImageDataset b = ImageFolders.open(root, 0.2, 7);
        assertEquals(a.validation(), b.validation());
        assertEquals(a.train(), b.train());
        assertEquals(a.fingerprint(), b.fingerprint());
        Set<List<LabeledImage>> splits = new HashSet<>();
        for (long seed = 0; seed < 5; seed++) {
            splits.add(ImageFolders.open(root, 0.2, seed).validation());
        }
        assertTrue(splits.size() > 1, "other seeds, other splits");
        for (LabeledImage image : a.train()) {
            assertEquals(a.classes().get(image.label()), image.file().getParent().getFileName().toString());
            assertFalse(a.validation().contains(image));
        }
    }

    @Test
    void everyClassWithTwoImagesGetsAValidationImage() {
        Path root = Fixtures.classFolders(dir.resolve("ds"), 2, "a", "b");
        Fixtures.classFolders(root, 1, "single");
        ImageDataset ds = ImageFolders.open(root, 0.01, 3);
        assertEquals(List.of(1, 1, 0), java.util.Arrays.stream(ds.countPerClass(ds.validation())).boxed().toList());
        assertEquals(List.of(1, 1, 1), java.util.Arrays.stream(ds.countPerClass(ds.train())).boxed().toList());
    }

    @Test
    void trainAndValFoldersAreUsedAsTheyAre() {
        Path root = dir.resolve("ds");
        Fixtures.classFolders(root.resolve("train"), 4, "ants", "bees");
        Fixtures.classFolders(root.resolve("val"), 2, "ants", "bees");
        ImageDataset ds = ImageFolders.open(root, 0.5, 1);
        assertEquals(List.of("ants", "bees"), ds.classes());
        assertEquals(8, ds.train().size());
        assertEquals(4, ds.validation().size());
        assertTrue(ds.validation().stream().allMatch(i -> i.file().toString().contains("/val/")));
        assertTrue(ds.skipped().isEmpty());
    }

    @Test
    void aTrainFolderAloneIsSplitByTheFraction() {
        Path root = dir.resolve("ds");
        Fixtures.classFolders(root.resolve("train"), 5, "a", "b");
        ImageDataset ds = ImageFolders.open(root, 0.2, 1);
        assertEquals(2, ds.validation().size());
        assertEquals(8, ds.train().size());
    }

    @Test
    void validationFolderWinsOverTestFolder() {
        Path root = dir.resolve("ds");
        Fixtures.classFolders(root.resolve("train"), 2, "a", "b");
        Fixtures.classFolders(root.resolve("validation"), 1, "a", "b");
        Fixtures.classFolders(root.resolve("test"), 3, "a", "b");
        ImageDataset ds = ImageFolders.open(root, 0.2, 1);
        assertEquals(2, ds.validation().size());
        assertTrue(ds.skipped().stream().anyMatch(s -> s.file().endsWith("test")));
    }

    @Test
    void aListingOfFilesIsLaidOutSkippedAndSplitAsTheFolderItLists() throws Exception {
        Path root = dir.resolve("ds");
        Fixtures.classFolders(root.resolve("train"), 5, "ants", "bees");
        Fixtures.classFolders(root.resolve("val"), 2, "ants", "bees");
        Fixtures.classFolders(root.resolve("test"), 1, "ants");
        Fixtures.distinctPng(root.resolve("train/ants/nested/deep.png"), 8, 97);
        Fixtures.distinctPng(root.resolve("train/loose.png"), 8, 96);
        Fixtures.distinctPng(root.resolve(".cache/x/y.png"), 8, 95);
        Files.writeString(root.resolve("train/bees/notes.jpg"), "not an image");
        List<Path> files;
        try (Stream<Path> walk = Files.walk(root)) {
            files = walk.filter(Files::isRegularFile).toList();
        }
        List<Path> checked = new ArrayList<>();
        ImageDataset listed = ImageFolders.open(ImageFolders.scanListing(root, files, candidates -> {
            checked.addAll(candidates);
            return candidates.stream().map(ImageProbe::probe).toList();
        }), 0.2, 3);
        ImageDataset walked = ImageFolders.open(root, 0.2, 3);

        assertEquals(walked.classes(), listed.classes());
        assertEquals(walked.train(), listed.train());
        assertEquals(walked.validation(), listed.validation());
        assertEquals(15, checked.size(), "only files in class folders are checked");
        List<String> skipped = listed.skipped().stream().map(f -> listed.relative(f.file()) + ": " + f.reason())
                .toList();
        assertEquals(4, skipped.size(), skipped.toString());
        assertTrue(skipped.contains("train/ants/nested/deep.png: ignored: in a folder inside a class folder (images "
                + "must sit directly in ants/)"), skipped.toString());
        assertTrue(skipped.contains("train/loose.png: ignored: file outside a class folder"), skipped.toString());
        assertTrue(skipped.contains("train/bees/notes.jpg: not an image (unrecognised content)"), skipped.toString());
        assertTrue(skipped.stream().anyMatch(f -> f.startsWith("test/ants/")
                && f.endsWith("ignored: another folder is already the validation split")), skipped.toString());
    }

    @Test
    void hiddenFilesAndFoldersAreIgnored() throws Exception {
        Path root = Fixtures.classFolders(dir.resolve("ds"), 3, "a", "b");
        Fixtures.classFolders(root.resolve(".cache"), 3, "x");
        Fixtures.distinctPng(root.resolve(".thumbs/t.png"), 8, 99);
        Fixtures.distinctPng(root.resolve("a/.hidden.png"), 8, 98);
        Files.writeString(root.resolve("a/.DS_Store"), "junk");
        ImageDataset ds = ImageFolders.open(root, 0.3, 1);
        assertEquals(List.of("a", "b"), ds.classes());
        assertEquals(6, ds.train().size() + ds.validation().size());
        assertTrue(ds.skipped().isEmpty(), ds.skipped().toString());
    }

    @Test
    void fingerprintDependsOnContentNotOnLocation() throws Exception {
        Path one = Fixtures.classFolders(dir.resolve("one"), 3, "a", "b");
        Path two = Fixtures.classFolders(dir.resolve("two"), 3, "a", "b");
        assertEquals(ImageFolders.open(one, 0.3, 1).fingerprint(), ImageFolders.open(two, 0.3, 99).fingerprint());
        Fixtures.distinctPng(two.resolve("a/a-0.png"), 32, 1234);
        assertNotEquals(ImageFolders.open(one, 0.3, 1).fingerprint(), ImageFolders.open(two, 0.3, 1).fingerprint());
    }

    @Test
    void missingFolderIsAnErrorNamingIt() {
        Path missing = dir.resolve("nope");
        DataException e = assertThrows(DataException.class, () -> ImageFolders.open(missing, 0.2, 1));
        assertTrue(e.getMessage().contains(missing.toString()) && e.getMessage().contains("does not exist"),
                e.getMessage());
    }

    @Test
    void folderWithoutClassFoldersIsAnError() {
        Fixtures.distinctPng(dir.resolve("flat/x.png"), 8, 1);
        DataException e = assertThrows(DataException.class, () -> ImageFolders.open(dir.resolve("flat"), 0.2, 1));
        assertTrue(e.getMessage().contains("no class folders"), e.getMessage());
    }

    @Test
    void oneClassIsAnError() {
        Path root = Fixtures.classFolders(dir.resolve("ds"), 3, "only");
        DataException e = assertThrows(DataException.class, () -> ImageFolders.open(root, 0.2, 1));
        assertTrue(e.getMessage().contains("only one class folder ('only')"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void emptyClassIsAnErrorNamingTheFolder() throws Exception {
        Path root = Fixtures.classFolders(dir.resolve("ds"), 3, "a", "b");
        Files.createDirectories(root.resolve("empty"));
        DataException e = assertThrows(DataException.class, () -> ImageFolders.open(root, 0.2, 1));
        assertTrue(e.getMessage().contains(root.resolve("empty") + " has no usable images"), e.getMessage());
    }

    @Test
    void classWithOnlyBrokenFilesIsAnErrorThatCountsThem() {
        Path root = Fixtures.classFolders(dir.resolve("ds"), 3, "a", "b");
        Fixtures.bytes(root.resolve("c/broken.jpg"), new byte[] {1, 2, 3});
        DataException e = assertThrows(DataException.class, () -> ImageFolders.open(root, 0.2, 1));
        assertTrue(e.getMessage().contains("(1 files skipped"), e.getMessage());
    }

    @Test
    void differentClassesInTrainAndValidationIsAnError() {
        Path root = dir.resolve("ds");
        Fixtures.classFolders(root.resolve("train"), 2, "a", "b", "c");
        Fixtures.classFolders(root.resolve("validation"), 1, "a", "b", "d");
        DataException e = assertThrows(DataException.class, () -> ImageFolders.open(root, 0.2, 1));
        assertTrue(e.getMessage().contains("missing in validation/: c"), e.getMessage());
        assertTrue(e.getMessage().contains("missing in train/: d"), e.getMessage());
    }

    @Test
    void validationFolderWithoutTrainIsAnError() {
        Fixtures.classFolders(dir.resolve("ds/val"), 2, "a", "b");
        DataException e = assertThrows(DataException.class, () -> ImageFolders.open(dir.resolve("ds"), 0.2, 1));
        assertTrue(e.getMessage().contains("no 'train' folder"), e.getMessage());
    }

    @Test
    void badValidationFractionIsAnError() {
        Path root = Fixtures.classFolders(dir.resolve("ds"), 3, "a", "b");
        assertThrows(DataException.class, () -> ImageFolders.open(root, 0, 1));
        assertThrows(DataException.class, () -> ImageFolders.open(root, 1, 1));
        assertThrows(DataException.class, () -> ImageFolders.open(root, Double.NaN, 1));
    }

    @Test
    void evaluationSetUsesTheModelsClassOrder() {
        Path root = Fixtures.classFolders(dir.resolve("eval"), 2, "cats", "dogs");
        ImageDataset ds = ImageFolders.openEvaluationSet(root, List.of("dogs", "cats", "birds"));
        assertEquals(List.of("dogs", "cats", "birds"), ds.classes());
        assertTrue(ds.train().isEmpty());
        assertEquals(4, ds.validation().size());
        for (LabeledImage image : ds.validation()) {
            assertEquals(ds.classes().get(image.label()), image.file().getParent().getFileName().toString());
        }
    }

    @Test
    void evaluationSetTakesTheValidationPartOfASplitLayout() {
        Path root = dir.resolve("ds");
        Fixtures.classFolders(root.resolve("train"), 3, "a", "b");
        Fixtures.classFolders(root.resolve("test"), 1, "a", "b");
        ImageDataset ds = ImageFolders.openEvaluationSet(root, List.of("a", "b"));
        assertEquals(2, ds.validation().size());
    }

    @Test
    void evaluationSetWithAnUnknownClassIsAnError() {
        Path root = Fixtures.classFolders(dir.resolve("eval"), 1, "cats", "zebras");
        DataException e = assertThrows(DataException.class,
                () -> ImageFolders.openEvaluationSet(root, List.of("cats", "dogs")));
        assertTrue(e.getMessage().contains("[zebras]"), e.getMessage());
    }
}
