package io.tlwb.data;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import io.tlwb.data.FolderScan.ClassFolder;
import io.tlwb.data.FolderScan.Layout;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A dataset listed in a CSV file instead of laid out in folders: a header with {@code path} and {@code label}
 * columns, and optionally {@code split} ({@code train}, or {@code validation}/{@code val}/{@code test}), one row per
 * image, as Kaggle-style datasets and exported annotations come. Paths are relative to the manifest's folder unless
 * absolute. Every listed file is then checked as a folder's would be; rows naming no file, a file listed before or
 * an empty label are skipped with the reason.
 *
 * @param layout     {@link Layout#SPLIT_FOLDERS} when every row names its split, else {@link Layout#CLASS_FOLDERS}
 * @param folders    one entry per (split, class), the manifest standing for the folder
 * @param candidates the files to check, with their split and class
 * @param skipped    rows that name no usable file, with the reason
 */
record Manifest(Layout layout, List<ClassFolder> folders, List<ImageFolders.Candidate> candidates,
                List<SkippedFile> skipped) {

    private static final CsvMapper CSV = new CsvMapper();
    private static final Set<String> VALIDATION = Set.of("validation", "val", "test");

    /** Whether {@code file} is to be read as a manifest: a {@code .csv} file. */
    static boolean isManifest(Path file) {
        return Files.isRegularFile(file) && file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".csv");
    }

    /**
     * @throws DataException naming the file and the fix when the header lacks {@code path} or {@code label}, a split
     *                       is not one of the known names, only some rows name a split, or the file cannot be read
     */
    static Manifest read(Path csv) {
        List<Map<String, String>> rows = new ArrayList<>();
        try (Reader reader = Files.newBufferedReader(csv, StandardCharsets.UTF_8);
             MappingIterator<Map<String, String>> it = CSV.readerForMapOf(String.class)
                     .with(CsvSchema.emptySchema().withHeader())
                     .with(CsvParser.Feature.TRIM_SPACES)
                     .readValues(reader)) {
            while (it.hasNextValue()) {
                rows.add(it.nextValue());
            }
        } catch (IOException | RuntimeException e) {
            throw new DataException(csv + ": cannot read the manifest as CSV (" + e.getMessage().lines().findFirst()
                    .orElse("") + "): expected a header row path,label[,split] and one row per image");
        }
        if (rows.isEmpty() || !rows.get(0).containsKey("path") || !rows.get(0).containsKey("label")) {
            throw new DataException(csv + ": a manifest needs a header row with path and label columns (and "
                    + "optionally split), then one row per image; found " + (rows.isEmpty() ? "no rows"
                    : "columns " + rows.get(0).keySet()));
        }
        boolean anySplit = rows.stream().anyMatch(row -> !blank(row.get("split")));
        boolean allSplit = rows.stream().noneMatch(row -> blank(row.get("split")));
        if (anySplit && !allSplit) {
            throw new DataException(csv + ": some rows name a split and some do not: give every row train or "
                    + "validation, or drop the split column to split by --validation-split");
        }
        Path base = csv.toAbsolutePath().getParent();
        Set<ClassFolder> folders = new LinkedHashSet<>();
        List<ImageFolders.Candidate> candidates = new ArrayList<>();
        List<SkippedFile> skipped = new ArrayList<>();
        Set<Path> seen = new HashSet<>();
        for (int i = 0; i < rows.size(); i++) {
            Map<String, String> row = rows.get(i);
            String where = csv.getFileName() + " row " + (i + 2);
            if (blank(row.get("path"))) {
                skipped.add(new SkippedFile(csv, where + ": no path"));
                continue;
            }
            Path file = base.resolve(row.get("path")).normalize();
            String label = row.get("label");
            String split = anySplit ? splitName(row.get("split").toLowerCase(Locale.ROOT), csv, where) : "";
            if (blank(label)) {
                skipped.add(new SkippedFile(file, where + ": no label"));
            } else if (!Files.isRegularFile(file)) {
                skipped.add(new SkippedFile(file, where + ": no such file"));
            } else if (!seen.add(file)) {
                skipped.add(new SkippedFile(file, where + ": listed before"));
            } else {
                folders.add(new ClassFolder(split, label, csv));
                candidates.add(new ImageFolders.Candidate(split, label, file));
            }
        }
        List<ClassFolder> ordered = new ArrayList<>(folders);
        ordered.sort((a, b) -> a.split().equals(b.split()) ? a.className().compareTo(b.className())
                : a.split().equals("train") ? -1 : 1);
        return new Manifest(anySplit ? Layout.SPLIT_FOLDERS : Layout.CLASS_FOLDERS, ordered, candidates, skipped);
    }

    private static String splitName(String split, Path csv, String where) {
        if (split.equals("train")) {
            return "train";
        }
        if (VALIDATION.contains(split)) {
            return "validation";
        }
        throw new DataException(csv + ", " + where + ": unknown split '" + split + "': use train, or validation "
                + "(val, test)");
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
