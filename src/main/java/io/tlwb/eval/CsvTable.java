package io.tlwb.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import io.tlwb.AtomicFiles;
import io.tlwb.WorkbenchException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A table written as CSV with a header row (quoted as RFC 4180 says), atomically, never over an existing file. */
public final class CsvTable {

    private static final CsvMapper CSV = new CsvMapper();

    private CsvTable() {
    }

    /**
     * @param header the column names
     * @param rows   one list of cells per row, as long as the header
     * @throws WorkbenchException when {@code file} exists or cannot be written
     */
    public static void write(Path file, List<String> header, List<List<Object>> rows) {
        if (Files.exists(file)) {
            throw new WorkbenchException(file + " already exists: choose another file or remove it first");
        }
        CsvSchema.Builder schema = CsvSchema.builder().setUseHeader(true);
        header.forEach(schema::addColumn);
        try {
            String text = CSV.writer(schema.build()).writeValueAsString(rows);
            AtomicFiles.writeString(file, text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot format " + file + " as CSV", e);
        } catch (IOException e) {
            throw new WorkbenchException("cannot write " + file + " (" + e.getMessage() + ")", e);
        }
    }
}
