package io.tlwb.data;

import io.tlwb.data.FolderScan.ClassFolder;
import io.tlwb.data.FolderScan.Image;
import io.tlwb.data.FolderScan.Layout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Finds a labelled image dataset in a folder. Two layouts:
 * <pre>
 * root/                          root/
 * ├── cats/                      ├── train/
 * │   ├── 001.jpg                │   ├── cats/ 001.jpg ...
 * │   └── ...                    │   └── dogs/ ...
 * └── dogs/                      └── validation/      (or val/, or test/)
 *     └── ...                        ├── cats/ ...
 *                                    └── dogs/ ...
 * </pre>
 * On the left, each class is split into training and validation images by a seeded, stratified fraction; on the right,
 * the folders say (a {@code train/} alone is split as on the left). Class names are the sorted folder names; a label is
 * an index into them. Names starting with {@code .} (and {@code __MACOSX}) are skipped, as are files that are not
 * usable images, each listed with the reason: see {@link ImageProbe} for what is usable. Every image is decoded once
 * here, so the training loop never meets a broken file.
 */
public final class ImageFolders {

    private static final List<String> VALIDATION_NAMES = List.of("validation", "val", "test");
    private static final int THREADS = Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors()));

    private ImageFolders() {
    }

    /**
     * The dataset in {@code root}, in either layout, every file checked.
     *
     * @param validationSplit the fraction of each class held out for validation when the folder has no validation split,
     *                        in (0, 1); a class of n >= 2 images gets between 1 and n - 1 of them
     * @param seed            draws that split: the same seed and files give the same split
     * @throws DataException with a one-line message naming the folder and the fix, when the folder is missing, has no
     *                       or one class, a class without usable images, or different classes in train and validation
     */
    public static ImageDataset open(Path root, double validationSplit, long seed) {
        return open(scan(root), validationSplit, seed);
    }

    /** {@link #open(Path, double, long)} on a folder already scanned (so {@code inspect} checks each file once). */
    public static ImageDataset open(FolderScan scan, double validationSplit, long seed) {
        Path r = scan.root();
        List<String> splits = scan.splits();
        if (scan.layout() == Layout.SPLIT_FOLDERS && !splits.contains("train")) {
            throw new DataException(r + " has a '" + splits.get(0) + "' folder but no 'train' folder: add "
                    + r.resolve("train") + "/<class>/ or put the class folders directly in " + r);
        }
        String trainSplit = scan.layout() == Layout.CLASS_FOLDERS ? "" : "train";
        String validationSplitName = splits.stream().filter(s -> !s.equals(trainSplit)).findFirst().orElse(null);

        List<String> classes = scan.classes(trainSplit);
        Path trainDir = trainSplit.isEmpty() ? r : r.resolve(trainSplit);
        requireClasses(classes, trainDir);
        requireImages(scan, trainSplit, trainDir);

        List<LabeledImage> train = new ArrayList<>();
        List<LabeledImage> validation = new ArrayList<>();
        if (validationSplitName == null) {
            if (!(validationSplit > 0 && validationSplit < 1)) {
                throw new DataException("validation split must be between 0 and 1 (exclusive) to split " + trainDir
                        + ", got " + validationSplit + ": use e.g. --validation-split 0.2, or add a validation/ folder");
            }
            for (int label = 0; label < classes.size(); label++) {
                String name = classes.get(label);
                List<Image> images = new ArrayList<>(scan.images(trainSplit, name));
                images.sort(Comparator.comparing(i -> i.file().getFileName().toString()));
                Collections.shuffle(images, new Random(Seeds.mix(seed, name)));
                int n = images.size();
                int held = n < 2 ? 0 : (int) Math.max(1, Math.min(n - 1, Math.round(n * validationSplit)));
                List<Image> heldOut = new ArrayList<>(images.subList(0, held));
                List<Image> kept = new ArrayList<>(images.subList(held, n));
                validation.addAll(labelled(byName(heldOut), label));
                train.addAll(labelled(byName(kept), label));
            }
        } else {
            List<String> validationClasses = scan.classes(validationSplitName);
            Path validationDir = r.resolve(validationSplitName);
            if (!validationClasses.equals(classes)) {
                throw new DataException(classMismatch(trainDir, classes, validationDir, validationClasses));
            }
            requireImages(scan, validationSplitName, validationDir);
            for (int label = 0; label < classes.size(); label++) {
                String name = classes.get(label);
                train.addAll(labelled(scan.images(trainSplit, name), label));
                validation.addAll(labelled(scan.images(validationSplitName, name), label));
            }
        }
        return new ImageDataset(r, classes, train, validation, scan.skipped());
    }

    /**
     * Every usable image under {@code root} as the validation list, labelled by {@code expectedClasses} (a model's
     * classes), for {@code evaluate}: {@code root/<class>/*}, or the {@code validation|val|test} part of a split layout.
     * A class may be missing (evaluating on some classes is fine); a folder that is not one of the classes is an error.
     *
     * @throws DataException when the folder is missing, has a class folder the model does not know, or no usable image
     */
    public static ImageDataset openEvaluationSet(Path root, List<String> expectedClasses) {
        FolderScan scan = scan(root);
        Path r = scan.root();
        String split;
        if (scan.layout() == Layout.CLASS_FOLDERS) {
            split = "";
        } else {
            split = scan.splits().stream().filter(s -> !s.equals("train")).findFirst().orElseThrow(() ->
                    new DataException(r + " has a 'train' folder but no validation/, val/ or test/ folder to evaluate"
                            + " on: point --data at a folder of <class>/ folders, or add " + r.resolve("validation")));
        }
        Path dir = split.isEmpty() ? r : r.resolve(split);
        List<String> found = scan.classes(split);
        List<String> unknown = found.stream().filter(c -> !expectedClasses.contains(c)).toList();
        if (!unknown.isEmpty()) {
            throw new DataException(dir + " has class folder(s) " + unknown + " that the model does not know: its"
                    + " classes are " + expectedClasses + "; rename or remove those folders");
        }
        List<LabeledImage> images = new ArrayList<>();
        for (String name : found) {
            images.addAll(labelled(scan.images(split, name), expectedClasses.indexOf(name)));
        }
        if (images.isEmpty()) {
            throw new DataException(dir + " has no usable images in its class folders (" + scan.skipped().size()
                    + " files skipped): expected " + dir + "/<class>/*.jpg with classes " + expectedClasses);
        }
        return new ImageDataset(r, expectedClasses, List.of(), images, scan.skipped());
    }

    /**
     * Everything under {@code root} as it is, for {@code inspect}: no rule about classes or splits is applied, only the
     * layout is recognised and every file checked (on up to two threads).
     *
     * @throws DataException when {@code root} is missing, not a folder, or has no sub-folders at all
     */
    public static FolderScan scan(Path root) {
        Path r = root.toAbsolutePath().normalize();
        if (!Files.exists(r)) {
            throw new DataException("data folder " + r + " does not exist: point --data at a folder of <class>/"
                    + " folders of images, or a path,label CSV manifest");
        }
        if (Manifest.isManifest(r)) {
            Manifest manifest = Manifest.read(r);
            return probed(r, manifest.layout(), manifest.folders(), manifest.candidates(),
                    new ArrayList<>(manifest.skipped()));
        }
        if (!Files.isDirectory(r)) {
            throw new DataException("data folder " + r + " is a file, not a folder: point --data at a folder of"
                    + " <class>/ folders of images, or a path,label manifest ending in .csv");
        }
        List<SkippedFile> skipped = new ArrayList<>();
        List<Path> children = visibleChildren(r);
        Map<String, Path> splitDirs = new LinkedHashMap<>();
        Path trainDir = children.stream().filter(p -> Files.isDirectory(p) && lower(p).equals("train")).findFirst()
                .orElse(null);
        if (trainDir != null) {
            splitDirs.put(trainDir.getFileName().toString(), trainDir);
        }
        for (String name : VALIDATION_NAMES) {
            Path dir = children.stream().filter(p -> Files.isDirectory(p) && lower(p).equals(name)).findFirst()
                    .orElse(null);
            if (dir != null && splitDirs.size() < (trainDir == null ? 1 : 2)) {
                splitDirs.put(dir.getFileName().toString(), dir);
            } else if (dir != null) {
                skipped.add(new SkippedFile(dir, "ignored: another folder is already the validation split"));
            }
        }
        Layout layout = splitDirs.isEmpty() ? Layout.CLASS_FOLDERS : Layout.SPLIT_FOLDERS;
        if (layout == Layout.CLASS_FOLDERS) {
            splitDirs.put("", r);
        } else {
            for (Path child : children) {
                if (!splitDirs.containsValue(child) && skipped.stream().noneMatch(s -> s.file().equals(child))) {
                    skipped.add(new SkippedFile(child, "ignored: not a train/validation folder"));
                }
            }
        }

        List<ClassFolder> folders = new ArrayList<>();
        List<Candidate> candidates = new ArrayList<>();
        for (Map.Entry<String, Path> split : splitDirs.entrySet()) {
            for (Path child : visibleChildren(split.getValue())) {
                if (!Files.isDirectory(child)) {
                    skipped.add(new SkippedFile(child, "ignored: file outside a class folder"));
                    continue;
                }
                String className = child.getFileName().toString();
                folders.add(new ClassFolder(split.getKey(), className, child));
                for (Path file : visibleChildren(child)) {
                    if (Files.isDirectory(file)) {
                        skipped.add(new SkippedFile(file, "ignored: folder inside a class folder (images must sit"
                                + " directly in " + className + "/)"));
                    } else if (Files.isRegularFile(file)) {
                        candidates.add(new Candidate(split.getKey(), className, file));
                    } else {
                        skipped.add(new SkippedFile(file, "not a regular file"));
                    }
                }
            }
        }
        if (folders.isEmpty()) {
            Path where = layout == Layout.CLASS_FOLDERS ? r : splitDirs.values().iterator().next();
            throw new DataException(where + " has no class folders: put the images in one folder per class, "
                    + where + "/<class>/*.jpg");
        }
        return probed(r, layout, folders, candidates, skipped);
    }

    /**
     * The dataset under {@code root} given as a listing of its files instead of a folder to walk (a remote
     * filesystem's, where only a cluster reads the files), laid out and skipped by the same rules as {@link #scan}, and
     * every candidate checked by {@code checker}, which returns one result per file, in order. Folders are known only
     * by the files in them here: an empty class folder does not count.
     */
    public static FolderScan scanListing(Path root, List<Path> files, Function<List<Path>, List<ImageProbe.Result>> checker) {
        List<Path> visible = files.stream().filter(f -> hiddenFree(root.relativize(f))).sorted().toList();
        Map<String, String> splitNames = new LinkedHashMap<>(); // lower-case top-level name -> as listed
        for (Path file : visible) {
            Path relative = root.relativize(file);
            if (relative.getNameCount() > 1) {
                splitNames.putIfAbsent(relative.getName(0).toString().toLowerCase(Locale.ROOT),
                        relative.getName(0).toString());
            }
        }
        Map<String, String> splits = new LinkedHashMap<>(); // as listed -> "train" or "validation" split key
        if (splitNames.containsKey("train")) {
            splits.put(splitNames.get("train"), splitNames.get("train"));
        }
        VALIDATION_NAMES.stream().filter(splitNames::containsKey).findFirst()
                .ifPresent(name -> splits.put(splitNames.get(name), splitNames.get(name)));
        Layout layout = splits.isEmpty() ? Layout.CLASS_FOLDERS : Layout.SPLIT_FOLDERS;
        int depth = layout == Layout.CLASS_FOLDERS ? 2 : 3;
        List<SkippedFile> skipped = new ArrayList<>();
        Map<List<String>, ClassFolder> folders = new LinkedHashMap<>();
        List<Candidate> candidates = new ArrayList<>();
        for (Path file : visible) {
            Path relative = root.relativize(file);
            String top = relative.getName(0).toString();
            if (layout == Layout.SPLIT_FOLDERS && !splits.containsKey(top)) {
                skipped.add(new SkippedFile(file, VALIDATION_NAMES.contains(top.toLowerCase(Locale.ROOT)) && relative
                        .getNameCount() > 1 ? "ignored: another folder is already the validation split"
                        : "ignored: not a train/validation folder"));
            } else if (relative.getNameCount() < depth) {
                skipped.add(new SkippedFile(file, "ignored: file outside a class folder"));
            } else if (relative.getNameCount() > depth) {
                skipped.add(new SkippedFile(file, "ignored: in a folder inside a class folder (images must sit "
                        + "directly in " + relative.getName(depth - 2) + "/)"));
            } else {
                String split = layout == Layout.CLASS_FOLDERS ? "" : top;
                String className = relative.getName(depth - 2).toString();
                folders.computeIfAbsent(List.of(split, className),
                        key -> new ClassFolder(split, className, file.getParent()));
                candidates.add(new Candidate(split, className, file));
            }
        }
        if (folders.isEmpty()) {
            throw new DataException(root + " has no class folders: put the images in one folder per class, "
                    + root + "/<class>/*.jpg");
        }
        List<ImageProbe.Result> results = checker.apply(candidates.stream().map(Candidate::file).toList());
        List<Probed> probed = new ArrayList<>();
        for (int i = 0; i < candidates.size(); i++) {
            probed.add(new Probed(candidates.get(i), results.get(i)));
        }
        return checked(root, layout, new ArrayList<>(folders.values()), probed, skipped);
    }

    /** The scan once every candidate file is checked (on up to two threads). */
    private static FolderScan probed(Path r, Layout layout, List<ClassFolder> folders, List<Candidate> candidates,
                                     List<SkippedFile> skipped) {
        return checked(r, layout, folders, probeAll(candidates), skipped);
    }

    private static FolderScan checked(Path r, Layout layout, List<ClassFolder> folders, List<Probed> probed,
                                      List<SkippedFile> skipped) {
        List<Image> images = new ArrayList<>();
        for (Probed result : probed) {
            Candidate c = result.candidate;
            ImageProbe.Result p = result.result;
            if (p.usable()) {
                images.add(new Image(c.file, c.split, c.className, p.width(), p.height(), p.channels(), p.bitDepth(),
                        p.format(), p.sha256()));
            } else {
                skipped.add(new SkippedFile(c.file, p.problem()));
            }
        }
        skipped.sort(Comparator.comparing(SkippedFile::file));
        return new FolderScan(r, layout, folders, images, skipped);
    }

    /**
     * The files to predict on: {@code path} itself if it is a file, else every non-hidden file under the folder
     * (recursively), sorted by path. Whether each one decodes is for {@link ImagePipeline#load} to say.
     *
     * @throws DataException if {@code path} does not exist
     */
    public static List<Path> files(Path path) {
        Path p = path.toAbsolutePath().normalize();
        if (!Files.exists(p)) {
            throw new DataException(p + " does not exist: give image files or folders of images");
        }
        if (!Files.isDirectory(p)) {
            return List.of(p);
        }
        try (Stream<Path> walk = Files.walk(p)) {
            return walk.filter(Files::isRegularFile)
                    .filter(f -> p.relativize(f).toString().isEmpty() || hiddenFree(p.relativize(f)))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new DataException("cannot list folder " + p + ": " + e.getMessage(), e);
        }
    }

    private static boolean hiddenFree(Path relative) {
        for (Path part : relative) {
            if (isHidden(part)) {
                return false;
            }
        }
        return true;
    }

    /** A file to check, with the split and class it is listed under. */
    record Candidate(String split, String className, Path file) {
    }

    private record Probed(Candidate candidate, ImageProbe.Result result) {
    }

    private static List<Probed> probeAll(List<Candidate> candidates) {
        if (candidates.size() < 8 || THREADS == 1) {
            return candidates.stream().map(c -> new Probed(c, ImageProbe.probe(c.file))).toList();
        }
        ExecutorService pool = Executors.newFixedThreadPool(THREADS, runnable -> {
            Thread t = new Thread(runnable, "tlwb-image-check");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Probed>> futures = new ArrayList<>();
            for (Candidate c : candidates) {
                futures.add(pool.submit(() -> new Probed(c, ImageProbe.probe(c.file))));
            }
            List<Probed> results = new ArrayList<>(futures.size());
            for (Future<Probed> f : futures) {
                results.add(f.get());
            }
            return results;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DataException("interrupted while checking images", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("image check failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    private static void requireClasses(List<String> classes, Path dir) {
        if (classes.isEmpty()) {
            throw new DataException(dir + " has no class folders: put the images in " + dir + "/<class>/*.jpg");
        }
        if (classes.size() == 1) {
            throw new DataException(dir + " has only one class folder ('" + classes.get(0) + "'): a classifier needs"
                    + " at least two, add another folder of images next to it");
        }
    }

    private static void requireImages(FolderScan scan, String split, Path splitDir) {
        for (String name : scan.classes(split)) {
            if (scan.images(split, name).isEmpty()) {
                Path dir = splitDir.resolve(name);
                long skipped = scan.skipped().stream().filter(s -> dir.equals(s.file().getParent())).count();
                throw new DataException("class folder " + dir + " has no usable images"
                        + (skipped > 0 ? " (" + skipped + " files skipped, see inspect)" : "")
                        + ": add images or remove the folder");
            }
        }
    }

    private static String classMismatch(Path trainDir, List<String> train, Path validationDir, List<String> validation) {
        TreeSet<String> onlyTrain = new TreeSet<>(train);
        onlyTrain.removeAll(validation);
        TreeSet<String> onlyValidation = new TreeSet<>(validation);
        onlyValidation.removeAll(train);
        List<String> parts = new ArrayList<>();
        if (!onlyTrain.isEmpty()) {
            parts.add("missing in " + validationDir.getFileName() + "/: " + String.join(", ", onlyTrain));
        }
        if (!onlyValidation.isEmpty()) {
            parts.add("missing in " + trainDir.getFileName() + "/: " + String.join(", ", onlyValidation));
        }
        return "class folders differ between " + trainDir + " and " + validationDir + " (" + String.join("; ", parts)
                + "): use the same class folders in both";
    }

    private static List<Image> byName(List<Image> images) {
        return images.stream().sorted(Comparator.comparing(i -> i.file().getFileName().toString())).toList();
    }

    private static List<LabeledImage> labelled(List<Image> images, int label) {
        return images.stream().map(i -> new LabeledImage(i.file(), label, i.sha256())).toList();
    }

    /** Non-hidden entries of a folder, sorted by name. */
    static List<Path> visibleChildren(Path dir) {
        try (Stream<Path> list = Files.list(dir)) {
            return list.filter(p -> !isHidden(p)).sorted(Comparator.comparing(p -> p.getFileName().toString()))
                    .collect(Collectors.toList());
        } catch (IOException e) {
            throw new DataException("cannot list folder " + dir + ": " + e.getMessage(), e);
        }
    }

    static boolean isHidden(Path p) {
        String name = p.getFileName().toString();
        return name.startsWith(".") || name.equals("__MACOSX") || name.equals("Thumbs.db")
                || name.equalsIgnoreCase("desktop.ini");
    }

    private static String lower(Path p) {
        return p.getFileName().toString().toLowerCase(Locale.ROOT);
    }
}
