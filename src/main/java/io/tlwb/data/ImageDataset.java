package io.tlwb.data;

import io.tlwb.Hashes;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A labelled image dataset split into training and validation images, as {@link ImageFolders} found it.
 *
 * @param root       the folder it was read from
 * @param classes    class names, sorted; a label is an index into this list
 * @param train      training images (empty for an evaluation set)
 * @param validation validation images
 * @param skipped    files found but not usable, with the reason
 */
public record ImageDataset(Path root, List<String> classes, List<LabeledImage> train, List<LabeledImage> validation,
                           List<SkippedFile> skipped) {

    public ImageDataset {
        Objects.requireNonNull(root, "root");
        classes = List.copyOf(classes);
        train = List.copyOf(train);
        validation = List.copyOf(validation);
        skipped = List.copyOf(skipped);
    }

    public int numClasses() {
        return classes.size();
    }

    /**
     * A stable SHA-256 (hex) over the class names and the (path relative to {@link #root()}, content SHA-256) of every
     * usable image, train and validation, sorted by path. Same files in the same folders, same fingerprint, whatever
     * the machine, the order files are listed in, or where the folder is.
     */
    public String fingerprint() {
        StringBuilder text = new StringBuilder("tlwb-dataset-v1\nclasses");
        for (String c : classes) {
            text.append('\t').append(c);
        }
        text.append('\n');
        Stream.concat(train.stream(), validation.stream())
                .map(image -> relative(image.file()) + "\t" + image.sha256() + "\n")
                .sorted()
                .forEach(text::append);
        return Hashes.sha256(text.toString());
    }

    /** {@code file} relative to the root, with {@code /} separators (the file itself if it lies elsewhere). */
    public String relative(Path file) {
        Path base = root.toAbsolutePath().normalize();
        Path f = file.toAbsolutePath().normalize();
        Path rel = f.startsWith(base) ? base.relativize(f) : f;
        return rel.toString().replace('\\', '/');
    }

    /** Images per class in {@code images}, indexed by label. */
    public int[] countPerClass(List<LabeledImage> images) {
        int[] counts = new int[classes.size()];
        for (LabeledImage image : images) {
            counts[image.label()]++;
        }
        return counts;
    }

    /** One line for the console, e.g. {@code 2 classes (ants, bees): 195 train, 48 validation, 3 files skipped}. */
    public String summary() {
        return classes.size() + " classes (" + String.join(", ", classes) + "): " + train.size() + " train, "
                + validation.size() + " validation, " + skipped.size() + (skipped.size() == 1 ? " file" : " files")
                + " skipped";
    }

    /** The skipped files, one {@code path: reason} a line, for the run folder. */
    public String skippedReport() {
        return skipped.stream().map(s -> relative(s.file()) + ": " + s.reason()).collect(Collectors.joining("\n",
                "", skipped.isEmpty() ? "" : "\n"));
    }
}
