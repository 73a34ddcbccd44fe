package io.tlwb.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tlwb.pretrained.Preprocessing;
import java.awt.Color;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** A path,label[,split] CSV manifest is a dataset like a folder tree, labels independent of folders. */
class ManifestTest {

    @TempDir
    Path tmp;

    /** Images in one flat folder, red ones named "r*", blue ones "b*": the labels live only in the manifest. */
    private Path flatImages(int perClass) {
        Path dir = tmp.resolve("all");
        for (int i = 0; i < perClass; i++) {
            Fixtures.png(dir.resolve("r" + i + ".png"), 16, 16, new Color(200 + i, 0, 0));
            Fixtures.png(dir.resolve("b" + i + ".png"), 16, 16, new Color(0, 0, 200 + i));
        }
        return dir;
    }

    private Path manifest(String text) throws Exception {
        return Files.writeString(tmp.resolve("labels.csv"), text);
    }

    @Test
    void aManifestWithoutSplitsIsSplitPerClassAndLabelsFollowTheManifestNotTheFolder() throws Exception {
        flatImages(5);
        StringBuilder csv = new StringBuilder("path,label\n");
        for (int i = 0; i < 5; i++) {
            csv.append("all/r").append(i).append(".png,red\n").append("all/b").append(i).append(".png,blue\n");
        }
        csv.append("all/missing.png,red\n").append("all/r0.png,red\n").append(",blue\n");
        ImageDataset data = ImageFolders.open(manifest(csv.toString()), 0.2, 1);

        assertEquals(List.of("blue", "red"), data.classes());
        assertEquals(8, data.train().size());
        assertEquals(2, data.validation().size());
        Map<String, String> skipped = data.skipped().stream().collect(Collectors.toMap(
                s -> s.reason().replaceAll(".*: ", ""), s -> s.file().getFileName().toString(), (a, b) -> a));
        assertEquals("missing.png", skipped.get("no such file"));
        assertEquals("r0.png", skipped.get("listed before"));
        assertTrue(skipped.containsKey("no path"), skipped.toString());

        // through the real pipeline: labels by file, although every image sits in the same folder
        ImagePipeline pipeline = new ImagePipeline(16, Preprocessing.ZERO_TO_ONE);
        DataSet batch = pipeline.iterator(data.train(), 2, 8, false, Augmentation.NONE, 0).next();
        for (int i = 0; i < data.train().size(); i++) {
            LabeledImage image = data.train().get(i);
            INDArray pixels = batch.getFeatures().get(NDArrayIndex.point(i));
            boolean red = pixels.getFloat(8, 8, 0) > pixels.getFloat(8, 8, 2);
            assertEquals(red ? "red" : "blue", data.classes().get(image.label()), image.file().toString());
            assertEquals(1f, batch.getLabels().getFloat(i, image.label()));
        }
    }

    @Test
    void aSplitColumnFixesTheSplit() throws Exception {
        flatImages(3);
        ImageDataset data = ImageFolders.open(manifest("""
                path,label,split
                all/r0.png,red,train
                all/r1.png,red,train
                all/b0.png,blue,train
                all/b1.png,blue,train
                all/r2.png,red,val
                all/b2.png,blue,validation
                """), 0.5, 1);
        assertEquals(4, data.train().size());
        assertEquals(List.of("b2.png", "r2.png"), data.validation().stream()
                .map(i -> i.file().getFileName().toString()).sorted().toList());
    }

    @Test
    void aBadManifestIsOneLineNamingTheFileAndTheFix() throws Exception {
        flatImages(1);
        var noLabel = assertThrows(DataException.class, () -> ImageFolders.open(manifest("file,class\nall/r0.png,red\n"),
                0.2, 1));
        assertTrue(noLabel.getMessage().contains("labels.csv: a manifest needs a header row with path and label"),
                noLabel.getMessage());
        var mixed = assertThrows(DataException.class, () -> ImageFolders.open(manifest(
                "path,label,split\nall/r0.png,red,train\nall/b0.png,blue,\n"), 0.2, 1));
        assertTrue(mixed.getMessage().contains("some rows name a split and some do not"), mixed.getMessage());
        var badSplit = assertThrows(DataException.class, () -> ImageFolders.open(manifest(
                "path,label,split\nall/r0.png,red,holdout\n"), 0.2, 1));
        assertTrue(badSplit.getMessage().contains("unknown split 'holdout'"), badSplit.getMessage());
    }
}
