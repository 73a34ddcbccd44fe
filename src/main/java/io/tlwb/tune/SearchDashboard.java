package io.tlwb.tune;

import io.tlwb.RunFolder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.deeplearning4j.arbiter.optimize.runner.listener.StatusListener;
import org.deeplearning4j.arbiter.ui.listener.ArbiterStatusListener;
import org.deeplearning4j.core.storage.StatsStorage;
import org.deeplearning4j.ui.model.storage.FileStatsStorage;

/**
 * Arbiter's view of a search for the DL4J dashboard: an {@link ArbiterStatusListener} writing to a
 * {@link FileStatsStorage} in the run folder ({@value #STATS_FILE}). Attach {@link #storage()} to a running
 * dashboard ({@code io.tlwb.ui.Dashboard#attach}) to watch live at {@code /arbiter}; {@link #open} reads the file again later (the {@code ui}
 * command).
 */
public final class SearchDashboard implements AutoCloseable {

    /** The stats file every search keeps in its run folder. */
    public static final String STATS_FILE = "arbiter-stats.bin";

    private final FileStatsStorage storage;
    private final ArbiterStatusListener listener;

    private SearchDashboard(FileStatsStorage storage, String sessionId) {
        this.storage = storage;
        this.listener = new ArbiterStatusListener(sessionId, storage);
    }

    /** A dashboard recording into {@code run}'s folder; the Arbiter session id is the run id. */
    public static SearchDashboard recordTo(RunFolder run) {
        return new SearchDashboard(new FileStatsStorage(run.file(STATS_FILE).toFile()), run.id());
    }

    /** The recorded search of a run folder, to attach to a UI server; null if the folder has no search stats. */
    public static StatsStorage open(Path runDir) {
        Path file = runDir.resolve(STATS_FILE);
        return Files.isRegularFile(file) ? new FileStatsStorage(file.toFile()) : null;
    }

    /** The Arbiter status listener to add to the search. */
    public StatusListener listener() {
        return listener;
    }

    public StatsStorage storage() {
        return storage;
    }


    @Override
    public void close() {
        storage.close();
    }
}
