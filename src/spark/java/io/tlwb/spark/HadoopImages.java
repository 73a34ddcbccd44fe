package io.tlwb.spark;

import io.tlwb.data.DataException;
import io.tlwb.data.FolderScan;
import io.tlwb.data.ImageDataset;
import io.tlwb.data.ImageFolders;
import io.tlwb.data.ImageProbe;
import io.tlwb.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.util.SerializableConfiguration;

/**
 * Image folders on a Hadoop filesystem ({@code hdfs://}, {@code s3a://}, {@code abfs://}, {@code file:/}, ... with
 * its connector on the classpath): the driver only lists the files; executors read them, check them as a local scan
 * does and featurize them. On the driver an image is named by its URI as a {@link Path} (what reports and the store's
 * {@code path} column show); {@link #location} gives the URI back for the executors.
 */
final class HadoopImages {

    private final Reader reader;
    private final Map<Path, String> locations = new HashMap<>();

    HadoopImages(Configuration hadoop) {
        this.reader = new Reader(new SerializableConfiguration(hadoop));
    }

    /** What executors need to read the files: the filesystems' configuration (credentials included). */
    Reader reader() {
        return reader;
    }

    /**
     * The dataset in the folder at {@code uri}, laid out and split as {@link ImageFolders#open} does for a local
     * folder, each file checked on the executors of {@code context}: the same files and seed give the same dataset.
     *
     * @throws DataException naming the URI when it cannot be listed or holds no class folders
     */
    ImageDataset open(JavaSparkContext context, String uri, double validationSplit, long seed) {
        org.apache.hadoop.fs.Path root = new org.apache.hadoop.fs.Path(uri);
        List<Path> files = new ArrayList<>();
        Path rootName;
        try {
            FileSystem fs = root.getFileSystem(reader.hadoop.value());
            if (!fs.getFileStatus(root).isDirectory()) {
                throw new DataException("--data " + uri + " is not a folder: point it at a folder of <class>/ folders");
            }
            root = fs.makeQualified(root);
            rootName = Path.of(root.toString());
            RemoteIterator<LocatedFileStatus> listing = fs.listFiles(root, true);
            while (listing.hasNext()) {
                String location = listing.next().getPath().toString();
                Path name = Path.of(location);
                locations.put(name, location);
                files.add(name);
            }
        } catch (java.io.FileNotFoundException e) {
            throw new DataException("--data " + uri + " does not exist: point it at a folder of <class>/ folders");
        } catch (IOException e) {
            throw new DataException("--data " + uri + ": cannot list it (" + e.getMessage() + ")", e);
        }
        FolderScan scan = ImageFolders.scanListing(rootName, files, candidates -> check(context, candidates));
        return ImageFolders.open(scan, validationSplit, seed);
    }

    /** The URI of an image {@link #open} listed, or {@code file} itself for a local one. */
    String location(Path file) {
        return locations.getOrDefault(file, file.toString());
    }

    /** Checks every file on the executors, as a local scan checks it; one result per file, in order. */
    private List<ImageProbe.Result> check(JavaSparkContext context, List<Path> candidates) {
        List<String> uris = candidates.stream().map(this::location).toList();
        Reader reader = this.reader; // the lambda ships the reader, not the listing
        int partitions = Math.max(1, Math.min(uris.size(), context.defaultParallelism() * 4));
        Map<String, CheckedFile> checked = new HashMap<>();
        for (CheckedFile file : context.parallelize(uris, partitions).mapPartitions(part -> {
            Path scratch = Files.createTempDirectory("tlwb-executor-check-");
            try {
                List<CheckedFile> results = new ArrayList<>();
                while (part.hasNext()) {
                    results.add(reader.check(part.next(), scratch));
                }
                return results.iterator();
            } finally {
                AtomicFiles.deleteTree(scratch);
            }
        }).collect()) {
            checked.put(file.location(), file);
        }
        return candidates.stream().map(file -> checked.get(location(file)).result(file)).toList();
    }

    /** Reads a filesystem's files on an executor. */
    static final class Reader implements Serializable {

        private final SerializableConfiguration hadoop;

        private Reader(SerializableConfiguration hadoop) {
            this.hadoop = hadoop;
        }

        /**
         * Copies the file at {@code location} into {@code folder} (so the executor reads it exactly as a local file),
         * keeping its name's extension (a long name could exceed the local filesystem's limit).
         */
        Path stage(String location, Path folder) throws IOException {
            org.apache.hadoop.fs.Path source = new org.apache.hadoop.fs.Path(location);
            FileSystem fs = source.getFileSystem(hadoop.value());
            long size = fs.getFileStatus(source).getLen();
            if (size > ImageProbe.MAX_FILE_BYTES) {
                throw new IOException("file too large (" + size / (1024 * 1024) + " MB, limit "
                        + ImageProbe.MAX_FILE_BYTES / (1024 * 1024) + " MB)");
            }
            String name = source.getName();
            String extension = name.lastIndexOf('.') < 0 ? "" : name.substring(name.lastIndexOf('.'));
            Path copy = Files.createTempFile(folder, "image-", extension.length() <= 10 ? extension : "");
            try (InputStream in = fs.open(source)) {
                Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
            }
            return copy;
        }

        /** The file at {@code location} checked as a local scan checks a file. */
        private CheckedFile check(String location, Path scratch) {
            Path copy = null;
            try {
                copy = stage(location, scratch);
                ImageProbe.Result r = ImageProbe.probe(copy);
                return new CheckedFile(location, r.format(), r.width(), r.height(), r.channels(), r.bitDepth(),
                        r.sha256(), r.problem());
            } catch (IOException e) {
                return new CheckedFile(location, "?", 0, 0, 0, 0, null, e.getMessage().startsWith("file too large")
                        ? e.getMessage() : "cannot read: " + e.getMessage());
            } finally {
                if (copy != null) {
                    try {
                        Files.deleteIfExists(copy);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            }
        }
    }

    /** {@link ImageProbe.Result} as it travels back from an executor (a {@link Path} is not serializable). */
    private record CheckedFile(String location, String format, int width, int height, int channels, int bitDepth,
                               String sha256, String problem) implements Serializable {
        ImageProbe.Result result(Path file) {
            return new ImageProbe.Result(file, format, width, height, channels, bitDepth, sha256, problem);
        }
    }
}
