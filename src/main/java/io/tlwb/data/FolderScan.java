package io.tlwb.data;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Everything found under a dataset folder, before any rule about classes or splits is applied: what {@code inspect}
 * reports on, and what {@link ImageFolders#open} builds a dataset from.
 *
 * @param root    the dataset folder
 * @param layout  how the folder is organised
 * @param folders every class folder, in split then name order, including empty ones
 * @param images  every usable image, in folder then file name order
 * @param skipped files and folders found but not usable, with the reason
 */
public record FolderScan(Path root, Layout layout, List<ClassFolder> folders, List<Image> images,
                         List<SkippedFile> skipped) {

    /** How a dataset folder is organised. */
    public enum Layout {
        /** {@code root/<class>/*}: one pool of images, split by a seeded fraction. */
        CLASS_FOLDERS,
        /** {@code root/train/<class>/*} and {@code root/{validation|val|test}/<class>/*} (either may be missing). */
        SPLIT_FOLDERS
    }

    /**
     * A class folder.
     *
     * @param split     the split folder's name as found ({@code train}, {@code val}, ...), or {@code ""} in
     *                  {@link Layout#CLASS_FOLDERS}
     * @param className the folder's name
     * @param dir       the folder
     */
    public record ClassFolder(String split, String className, Path dir) {
    }

    /**
     * A usable image with what its decoding found.
     *
     * @param width    width in pixels as decoded (after EXIF orientation)
     * @param height   height in pixels
     * @param channels 1 (grey), 2 (grey and alpha), 3 (colour) or 4 (colour and alpha) as decoded
     * @param bitDepth 8 or 16
     * @param format   JPEG, PNG, BMP, TIFF or WEBP
     */
    public record Image(Path file, String split, String className, int width, int height, int channels, int bitDepth,
                        String format, String sha256) {
    }

    public FolderScan {
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(layout, "layout");
        folders = List.copyOf(folders);
        images = List.copyOf(images);
        skipped = List.copyOf(skipped);
    }

    /** The split folder names in order: train first, then the validation folder ({@code [""]} for class folders). */
    public List<String> splits() {
        return folders.stream().map(ClassFolder::split).distinct().toList();
    }

    /** The sorted class names of one split. */
    public List<String> classes(String split) {
        return folders.stream().filter(f -> f.split().equals(split)).map(ClassFolder::className).sorted().toList();
    }

    /** The usable images of one class folder. */
    public List<Image> images(String split, String className) {
        return images.stream().filter(i -> i.split().equals(split) && i.className().equals(className)).toList();
    }
}
