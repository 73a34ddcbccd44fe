package io.tlwb.cli;

import io.tlwb.data.ContactSheet;
import io.tlwb.data.DataException;
import io.tlwb.data.FolderScan.Image;
import io.tlwb.data.FolderScan;
import io.tlwb.data.ImageDataset;
import io.tlwb.data.ImageFolders;
import io.tlwb.data.SkippedFile;
import io.tlwb.train.ClassWeighting;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.ToIntFunction;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tlwb inspect}: what is in a dataset folder, before training on it. */
@Command(name = "inspect",
        description = {
                "Report on an image folder: class counts per split, image sizes, unreadable files, exact duplicates "
                        + "(by content) within and across splits, and a contact-sheet PNG of samples per class.",
                "Layouts: DIR/<class>/* or DIR/train/<class>/* + DIR/{validation|val|test}/<class>/*."})
final class InspectCommand implements Callable<Integer> {

    static final String DEFAULT_DATA = "data/tuxpaint-photos";

    @Spec
    CommandSpec spec;

    @Option(names = "--data", paramLabel = "DIR", defaultValue = DEFAULT_DATA,
            description = "The dataset folder (default: ${DEFAULT-VALUE}).")
    Path data;

    @Option(names = "--contact-sheet", paramLabel = "FILE",
            description = "Where to write the contact sheet PNG (default: runs/inspect/<folder>-contact-sheet.png, "
                    + "replaced on each run). An existing FILE is kept unless --force.")
    Path contactSheet;

    @Option(names = "--no-contact-sheet", description = "Do not write a contact sheet.")
    boolean noContactSheet;

    @Option(names = "--samples", paramLabel = "N", defaultValue = "8",
            description = "Samples per class on the contact sheet (default: ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--image-size", paramLabel = "PX", defaultValue = "160",
            description = "The training input size, to count images that will be enlarged (default: ${DEFAULT-VALUE}).")
    int imageSize;

    @Mixin
    WorkspaceOption workspaceOption;

    @Option(names = "--force", description = "Overwrite an existing --contact-sheet file.")
    boolean force;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (samples < 1 || samples > 64) {
            throw new DataException("--samples must be between 1 and 64, got " + samples);
        }
        Path sheetPath = contactSheet != null ? contactSheet
                : workspaceOption.workspace().runsDir().resolve("inspect").resolve(data.toAbsolutePath().normalize().getFileName() + "-contact-sheet.png");
        if (!noContactSheet && contactSheet != null && sheetPath.toFile().exists() && !force) {
            throw new DataException(sheetPath.toAbsolutePath().normalize()
                    + " already exists: use --force to overwrite it, or choose another --contact-sheet");
        }

        FolderScan scan = ImageFolders.scan(data);
        out.println("Dataset " + scan.root());
        out.println("Layout: " + (scan.layout() == FolderScan.Layout.CLASS_FOLDERS
                ? "one folder per class (train/validation split by --validation-split at training time)"
                : "split folders " + String.join(" + ", scan.splits().stream().map(s -> s + "/").toList())));
        out.println();
        printCounts(out, scan);
        out.println();
        printSizes(out, scan);
        out.println();
        printSkipped(out, scan);
        out.println();
        printDuplicates(out, scan);
        out.println();
        try {
            ImageDataset ds = ImageFolders.open(scan, 0.2, 0);
            out.println("Trainable: yes (" + ds.classes().size() + " classes" + (scan.layout()
                    == FolderScan.Layout.CLASS_FOLDERS ? ", e.g. with --validation-split 0.2: " + ds.train().size()
                    + " train / " + ds.validation().size() + " validation" : "") + ")");
            out.println("Fingerprint: " + ds.fingerprint());
        } catch (DataException e) {
            out.println("Trainable: no: " + e.getMessage());
        }
        if (!noContactSheet) {
            ContactSheet.writePng(ContactSheet.render(scan, samples, 96), sheetPath,
                    contactSheet == null || force);
            out.println("Contact sheet: " + sheetPath.toAbsolutePath().normalize());
        }
        out.flush();
        return 0;
    }

    private static void printCounts(PrintWriter out, FolderScan scan) {
        List<String> splits = scan.splits();
        List<String> classes = scan.folders().stream().map(FolderScan.ClassFolder::className).distinct().sorted()
                .toList();
        int nameWidth = Math.max(5, classes.stream().mapToInt(String::length).max().orElse(5));
        boolean single = splits.equals(List.of(""));
        out.println("Classes: " + classes.size());
        StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "  %-" + nameWidth + "s", "class"));
        for (String s : splits) {
            header.append(String.format(Locale.ROOT, " %10s", single ? "images" : s));
        }
        if (!single) {
            header.append(String.format(Locale.ROOT, " %10s", "total"));
        }
        out.println(header);
        int[] totals = new int[splits.size()];
        int[] perClass = new int[classes.size()];
        for (String c : classes) {
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "  %-" + nameWidth + "s", c));
            int sum = 0;
            for (int i = 0; i < splits.size(); i++) {
                String s = splits.get(i);
                boolean present = scan.classes(s).contains(c);
                int n = scan.images(s, c).size();
                totals[i] += n;
                sum += n;
                row.append(String.format(Locale.ROOT, " %10s", present ? String.valueOf(n) : "(missing)"));
            }
            if (!single) {
                row.append(String.format(Locale.ROOT, " %10d", sum));
            }
            if (sum == 0) {
                row.append("  <- no usable images");
            }
            perClass[classes.indexOf(c)] = sum;
            out.println(row);
        }
        StringBuilder total = new StringBuilder(String.format(Locale.ROOT, "  %-" + nameWidth + "s", "total"));
        for (int t : totals) {
            total.append(String.format(Locale.ROOT, " %10d", t));
        }
        if (!single) {
            total.append(String.format(Locale.ROOT, " %10d", Arrays.stream(totals).sum()));
        }
        out.println(total);
        double imbalance = ClassWeighting.imbalance(perClass);
        if (classes.size() > 1 && imbalance >= ClassWeighting.IMBALANCE_WARNING && Double.isFinite(imbalance)) {
            out.printf(Locale.ROOT, "Imbalanced: the largest class has %.1fx the images of the smallest; train with "
                    + "--class-weights balanced so each class counts the same%n", imbalance);
        }
    }

    private void printSizes(PrintWriter out, FolderScan scan) {
        List<Image> images = scan.images();
        if (images.isEmpty()) {
            out.println("Image sizes: no usable images");
            return;
        }
        out.println("Image sizes (" + images.size() + " usable images):");
        out.println("  width  " + minMedianMax(images, Image::width));
        out.println("  height " + minMedianMax(images, Image::height));
        int[] edges = {64, 128, 256, 512, 1024, 2048};
        int[] counts = new int[edges.length + 1];
        for (Image image : images) {
            int longer = Math.max(image.width(), image.height());
            int b = 0;
            while (b < edges.length && longer >= edges[b]) {
                b++;
            }
            counts[b]++;
        }
        List<String> buckets = new ArrayList<>();
        for (int b = 0; b <= edges.length; b++) {
            if (counts[b] == 0) {
                continue;
            }
            String range = b == 0 ? "<" + edges[0] : b == edges.length ? ">=" + edges[b - 1]
                    : edges[b - 1] + "-" + (edges[b] - 1);
            buckets.add(range + ": " + counts[b]);
        }
        out.println("  longer side: " + String.join(", ", buckets));
        long small = images.stream().filter(i -> Math.min(i.width(), i.height()) < imageSize).count();
        if (small > 0) {
            out.println("  " + small + " image(s) have a side under " + imageSize + " px and will be enlarged");
        }
        Map<String, Long> formats = images.stream().collect(Collectors.groupingBy(i -> i.format()
                + (i.bitDepth() == 16 ? " 16-bit" : "") + " " + channelName(i.channels()), LinkedHashMap::new,
                Collectors.counting()));
        out.println("  formats: " + formats.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", ")));
    }

    private static String channelName(int channels) {
        return switch (channels) {
            case 1 -> "grey";
            case 2 -> "grey+alpha";
            case 3 -> "colour";
            default -> "colour+alpha";
        };
    }

    private static String minMedianMax(List<Image> images, ToIntFunction<Image> f) {
        int[] v = images.stream().mapToInt(f).sorted().toArray();
        int median = v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
        return String.format(Locale.ROOT, "min %d, median %d, max %d", v[0], median, v[v.length - 1]);
    }

    private static void printSkipped(PrintWriter out, FolderScan scan) {
        List<SkippedFile> skipped = scan.skipped();
        out.println("Unreadable or ignored files: " + (skipped.isEmpty() ? "none" : skipped.size()));
        for (SkippedFile s : skipped) {
            out.println("  " + relative(scan, s.file()) + ": " + s.reason());
        }
    }

    private static void printDuplicates(PrintWriter out, FolderScan scan) {
        Map<String, List<Image>> bySha = scan.images().stream().collect(Collectors.groupingBy(Image::sha256,
                LinkedHashMap::new, Collectors.toList()));
        List<List<Image>> groups = bySha.values().stream().filter(g -> g.size() > 1)
                .sorted(Comparator.comparing(g -> g.get(0).file())).toList();
        if (groups.isEmpty()) {
            out.println("Exact duplicates: none");
            return;
        }
        long within = groups.stream().filter(g -> g.stream().map(Image::split).distinct().count() == 1).count();
        long conflicting = groups.stream().filter(g -> g.stream().map(Image::className).distinct().count() > 1)
                .count();
        int extra = groups.stream().mapToInt(g -> g.size() - 1).sum();
        out.println("Exact duplicates: " + groups.size() + " group(s), " + extra + " extra cop" + (extra == 1 ? "y" : "ies")
                + " (" + within + " within a split, " + (groups.size() - within) + " across splits, " + conflicting
                + " with different classes)");
        for (List<Image> g : groups) {
            boolean across = g.stream().map(Image::split).distinct().count() > 1;
            boolean conflict = g.stream().map(Image::className).distinct().count() > 1;
            String tag = conflict ? "different classes" : across ? "across splits" : "within a split";
            out.println("  [" + tag + "] " + g.stream().map(i -> relative(scan, i.file()))
                    .collect(Collectors.joining(" = ")));
        }
    }

    private static String relative(FolderScan scan, Path file) {
        Path f = file.toAbsolutePath().normalize();
        return (f.startsWith(scan.root()) ? scan.root().relativize(f) : f).toString().replace('\\', '/');
    }
}
