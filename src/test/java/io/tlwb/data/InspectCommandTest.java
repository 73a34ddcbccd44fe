package io.tlwb.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tlwb.cli.Main;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InspectCommandTest {

    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {
    }

    private static Run inspect(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] all = new String[args.length + 1];
        all[0] = "inspect";
        System.arraycopy(args, 0, all, 1, args.length);
        int code = Main.commandLine(new PrintWriter(out), new PrintWriter(err)).execute(all);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void anImbalancedFolderIsFlaggedWithTheFlagThatFixesIt() {
        Path root = dir.resolve("skewed");
        Fixtures.classFolders(root, 6, 1, "cats");
        Fixtures.classFolders(root, 2, 50, "dogs");
        Run run = inspect("--data", root.toString(), "--no-contact-sheet");
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains("Imbalanced: the largest class has 3.0x") && run.out()
                .contains("--class-weights balanced"), run.out());
    }

    @Test
    void theDefaultContactSheetGoesUnderTheWorkspaceRunsFolder() throws Exception {
        Path root = dir.resolve("pets");
        Fixtures.classFolders(root, 2, "cats", "dogs");
        Path workspace = dir.resolve("ws");

        Run run = inspect("--data", root.toString(), "-w", workspace.toString());

        assertEquals(0, run.code(), run.err());
        assertTrue(Files.isRegularFile(workspace.resolve("runs/inspect/pets-contact-sheet.png")), run.out());
    }

    @Test
    void reportsCountsSizesUnreadableFilesDuplicatesAndWritesAContactSheet() throws Exception {
        Path root = dir.resolve("ds");
        Fixtures.classFolders(root.resolve("train"), 3, "ants", "bees");
        Fixtures.classFolders(root.resolve("val"), 1, 100, "ants", "bees");
        Files.copy(root.resolve("train/ants/ants-0.png"), root.resolve("val/ants/leak.png"));
        Files.copy(root.resolve("train/bees/bees-0.png"), root.resolve("train/bees/again.png"));
        Fixtures.bytes(root.resolve("val/bees/broken.jpg"), new byte[0]);
        Path sheet = dir.resolve("sheet.png");

        Run run = inspect("--data", root.toString(), "--contact-sheet", sheet.toString());

        assertEquals(0, run.code(), run.err());
        String out = run.out();
        assertTrue(out.contains("Layout: split folders train/ + val/"), out);
        assertTrue(out.matches("(?s).*\\n  ants\\s+3\\s+2\\s+5\\n.*"), out);
        assertTrue(out.matches("(?s).*\\n  bees\\s+4\\s+1\\s+5\\n.*"), out);
        assertTrue(out.contains("width  min 32, median 32, max 32"), out);
        assertTrue(out.contains("val/bees/broken.jpg: empty file (0 bytes)"), out);
        assertTrue(out.contains("Exact duplicates: 2 group(s), 2 extra copies (1 within a split, 1 across splits"),
                out);
        assertTrue(out.contains("[across splits] train/ants/ants-0.png = val/ants/leak.png"), out);
        assertTrue(out.contains("[within a split] train/bees/again.png = train/bees/bees-0.png"), out);
        assertTrue(out.contains("Trainable: yes"), out);
        assertTrue(out.contains("Contact sheet: " + sheet), out);
        BufferedImage png = ImageIO.read(sheet.toFile());
        assertTrue(png.getWidth() > 96 && png.getHeight() >= 4 * 96, png.getWidth() + "x" + png.getHeight());
    }

    @Test
    void neverOverwritesAnExistingFileWithoutForce() throws Exception {
        Path root = Fixtures.classFolders(dir.resolve("ds"), 2, "a", "b");
        Path sheet = Files.writeString(dir.resolve("mine.png"), "precious");

        Run refused = inspect("--data", root.toString(), "--contact-sheet", sheet.toString());
        assertEquals(Main.EXIT_USER_ERROR, refused.code());
        assertTrue(refused.err().contains(sheet + " already exists: use --force"), refused.err());
        assertEquals("precious", Files.readString(sheet));

        Run forced = inspect("--data", root.toString(), "--contact-sheet", sheet.toString(), "--force");
        assertEquals(0, forced.code(), forced.err());
        assertTrue(ImageIO.read(sheet.toFile()).getWidth() > 0);
        try (var files = Files.list(dir)) {
            assertFalse(files.anyMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temp file left");
        }
    }

    @Test
    void saysWhyADatasetIsNotTrainable() {
        Path root = Fixtures.classFolders(dir.resolve("ds"), 2, "only");
        Run run = inspect("--data", root.toString(), "--no-contact-sheet");
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains("Trainable: no: " + root + " has only one class folder"), run.out());
        assertFalse(run.out().contains("Contact sheet"));
    }

    @Test
    void aMissingFolderIsAOneLineError() {
        Run run = inspect("--data", dir.resolve("missing").toString(), "--no-contact-sheet");
        assertEquals(Main.EXIT_USER_ERROR, run.code());
        assertEquals(1, run.err().strip().lines().count(), run.err());
        assertTrue(run.err().startsWith("error: data folder "), run.err());
    }
}
