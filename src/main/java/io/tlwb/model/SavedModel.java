package io.tlwb.model;

import io.tlwb.AtomicFiles;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.tlwb.WorkbenchException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;

/**
 * A trained model as the user gets it: a standard DL4J {@link ModelSerializer} zip that also carries a
 * {@link ModelCard} entry, so plain DL4J code can load it and the workbench knows how to feed it.
 */
public record SavedModel(ComputationGraph graph, ModelCard card) {

    /** Name of the model card entry inside the zip. */
    public static final String CARD_ENTRY = "tlwb-model-card.json";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * Writes the zip atomically: built in a private temp folder beside the target (the zip file system that adds the
     * model card rewrites the archive through a temp file of its own), moved into place when complete; on any
     * failure, a full disk included, the folder goes and nothing partial remains.
     *
     * @param overwrite whether an existing file may be replaced; without it an existing file is an error
     */
    public void save(Path target, boolean overwrite) {
        Path file = target.toAbsolutePath();
        requireWritable(file, overwrite);
        Path folder = null;
        try {
            folder = AtomicFiles.tempFolderBeside(file);
            Path tmp = folder.resolve(file.getFileName());
            ModelSerializer.writeModel(graph, tmp.toFile(), false);
            try (FileSystem zip = FileSystems.newFileSystem(URI.create("jar:" + tmp.toUri()), Map.of())) {
                Files.write(zip.getPath(CARD_ENTRY), JSON.writeValueAsBytes(card));
            }
            AtomicFiles.share(tmp);
            AtomicFiles.moveIntoPlace(tmp, file);
        } catch (IOException e) {
            throw new WorkbenchException("could not write the model to " + file + ": " + e.getMessage()
                    + " (check the folder exists, is writable and has space)", e);
        } finally {
            deleteQuietly(folder);
        }
    }

    /** Fails early, before any work, when saving to {@code target} would replace a file the user did not give up. */
    public static void requireWritable(Path target, boolean overwrite) {
        if (Files.exists(target) && !overwrite) {
            throw new WorkbenchException(target.toAbsolutePath() + " already exists: choose another --model-out or "
                    + "pass --force to replace it");
        }
    }

    /** Loads a zip written by {@link #save}, saying clearly what is wrong with a foreign or damaged file. */
    public static SavedModel load(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new WorkbenchException("model file " + file + " does not exist: pass the zip that train wrote (--model-out)");
        }
        ModelCard card;
        try (ZipFile zip = new ZipFile(file.toFile())) {
            ZipEntry entry = zip.getEntry(CARD_ENTRY);
            if (entry == null) {
                throw new WorkbenchException(file + " has no model card (" + CARD_ENTRY + "): it is not a model saved by "
                        + "this workbench; retrain it with train --model-out");
            }
            try (InputStream in = zip.getInputStream(entry)) {
                card = JSON.readValue(in, ModelCard.class);
            }
        } catch (WorkbenchException e) {
            throw e;
        } catch (IOException e) {
            throw new WorkbenchException(file + " is not a readable model zip (" + e.getMessage()
                    + "): the file is damaged or not a zip; retrain or copy it again", e);
        }
        if (card.format() > ModelCard.FORMAT) {
            throw new WorkbenchException(file + " has model card format " + card.format() + ", newer than this "
                    + "workbench understands (" + ModelCard.FORMAT + "): upgrade the workbench");
        }
        ComputationGraph graph;
        try {
            graph = ModelSerializer.restoreComputationGraph(file.toFile(), false);
        } catch (IOException | RuntimeException e) {
            throw new WorkbenchException(file + " has a model card but its DL4J graph cannot be read (" + e.getMessage()
                    + "): the file is damaged; retrain or copy it again", e);
        }
        long outputs = graph.getConfiguration().getNetworkOutputs().size();
        if (outputs != 1 || graph.layerSize(graph.getConfiguration().getNetworkOutputs().get(0)) != card.classes().size()) {
            throw new WorkbenchException(file + ": its graph does not match its model card (" + card.classes().size()
                    + " classes); the file was modified; retrain it");
        }
        return new SavedModel(graph, card);
    }

    private static void deleteQuietly(Path folder) {
        try {
            AtomicFiles.deleteTree(folder);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
