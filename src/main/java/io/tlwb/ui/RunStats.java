package io.tlwb.ui;

import io.tlwb.BackgroundWrites;
import io.tlwb.RunFolder;
import io.tlwb.WorkbenchException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.deeplearning4j.core.storage.StatsStorage;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.ui.model.stats.StatsListener;
import org.deeplearning4j.ui.model.stats.api.StatsUpdateConfiguration;
import org.deeplearning4j.ui.model.stats.impl.DefaultStatsInitializationConfiguration;
import org.deeplearning4j.ui.model.stats.impl.DefaultStatsUpdateConfiguration;
import org.deeplearning4j.ui.model.storage.FileStatsStorage;

/**
 * The dashboard statistics of one run, kept in {@code runs/<id>/stats.dl4j} (a DL4J {@link FileStatsStorage}) so the
 * dashboard can show the run live and reopen it later. The session id is the run id.
 *
 * <p>Only what the dashboard's pages read is collected: scores, learning rates, memory and timing, mean magnitudes
 * and standard deviations, and histograms of parameters and updates. A 20-iteration head training with
 * {@code reportEvery = 1} writes a few hundred KiB.
 */
public final class RunStats implements AutoCloseable {

    /** The stats file's name inside a run folder. */
    public static final String FILE_NAME = "stats.dl4j";
    /**
     * Reporting frequency "auto": every iteration until the run says how many it will have ({@link #planFor}), then
     * about {@value #AUTO_POINTS} reports over the run. Recording costs ~8 ms an iteration here, half of head
     * training on 2000 images when every iteration was kept.
     */
    public static final int AUTO = 0;
    static final int AUTO_POINTS = 300;
    /** Reports that may wait for the disk while training goes on. */
    private static final int REPORTS_PENDING = 64;

    private final Path file;
    private final FileStatsStorage storage;
    private final String sessionId;
    private final StatsListener listener;
    private final boolean auto;
    private final BackgroundWrites writes;

    private RunStats(Path file, FileStatsStorage storage, String sessionId, StatsListener listener, boolean auto,
                     BackgroundWrites writes) {
        this.file = file;
        this.storage = storage;
        this.sessionId = sessionId;
        this.listener = listener;
        this.auto = auto;
        this.writes = writes;
    }

    /**
     * Starts recording a training run into {@code runs/<id>/stats.dl4j}.
     *
     * @param reportEvery record every this many iterations (1 = every minibatch), or {@link #AUTO}
     */
    public static RunStats record(RunFolder run, int reportEvery) {
        if (reportEvery < AUTO || reportEvery > 1_000_000) {
            throw new WorkbenchException("--stats-every must be between 1 and 1000000 iterations, got " + reportEvery);
        }
        Path file = run.file(FILE_NAME);
        if (Files.exists(file)) {
            throw new WorkbenchException(file + " already exists: each run records its stats into a fresh run folder");
        }
        FileStatsStorage storage = new FileStatsStorage(file.toFile());
        BackgroundWrites writes = new BackgroundWrites("tlwb-stats-writer", REPORTS_PENDING);
        StatsListener listener = new StatsListener(new BackgroundStatsRouter(storage, writes),
                new DefaultStatsInitializationConfiguration(true, true, true),
                leanConfiguration(Math.max(1, reportEvery)), run.id(), null);
        return new RunStats(file, storage, run.id(), listener, reportEvery == AUTO, writes);
    }

    /** Told how many iterations the run will have, an automatic frequency spreads about {@value #AUTO_POINTS} reports. */
    public void planFor(long iterations) {
        if (auto && listener != null) {
            listener.setUpdateConfig(leanConfiguration((int) Math.max(1, Math.min(1_000_000,
                    (iterations + AUTO_POINTS - 1) / AUTO_POINTS))));
        }
    }

    /** Iterations between two reports, as now set. */
    int reportEvery() {
        return listener.getUpdateConfig().reportingFrequency();
    }

    /**
     * Reopens the stats a past run recorded, for the dashboard.
     *
     * @param runDirOrFile a run folder ({@code runs/<id>}) or its {@code stats.dl4j} itself
     */
    public static RunStats open(Path runDirOrFile) {
        Path file = Files.isDirectory(runDirOrFile) ? runDirOrFile.resolve(FILE_NAME) : runDirOrFile;
        file = file.toAbsolutePath().normalize();
        if (!Files.isRegularFile(file)) {
            throw new WorkbenchException("no dashboard stats at " + file + ": pass a run folder written by train "
                    + "(runs/<id>/ with " + FILE_NAME + ")");
        }
        FileStatsStorage storage;
        try {
            storage = new FileStatsStorage(file.toFile());
        } catch (RuntimeException | Error e) {
            String why = e.getClass().getSimpleName().contains("FileLocked")
                    ? "it is in use by another process (is that training still running with --ui?)"
                    : "it is damaged or not a DL4J stats file (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")";
            throw new WorkbenchException("cannot open the stats file " + file + ": " + why, e);
        }
        List<String> sessions;
        try {
            sessions = storage.listSessionIDs();
        } catch (RuntimeException e) {
            closeQuietly(storage);
            throw new WorkbenchException("cannot read the stats file " + file + ": it is damaged (" + e + ")", e);
        }
        if (sessions.isEmpty()) {
            closeQuietly(storage);
            throw new WorkbenchException("the stats file " + file + " holds no training session: the run stopped "
                    + "before its first iteration; train again");
        }
        return new RunStats(file, storage, sessions.get(0), null, false, null);
    }

    /** What the dashboard reads and a run needs: scores every {@code reportEvery} iterations, no unused extras. */
    static StatsUpdateConfiguration leanConfiguration(int reportEvery) {
        return new DefaultStatsUpdateConfiguration.Builder()
                .reportingFrequency(reportEvery)
                .collectPerformanceStats(true)
                .collectMemoryStats(true)
                .collectGarbageCollectionStats(true)
                .collectLearningRates(true)
                .collectHistogramsParameters(true)
                .collectHistogramsUpdates(true)
                .collectHistogramsGradients(false)
                .collectHistogramsActivations(false)
                .numHistogramBins(20)
                .collectMeanParameters(false)
                .collectMeanGradients(false)
                .collectMeanUpdates(false)
                .collectMeanActivations(true)
                .collectStdevParameters(false)
                .collectStdevGradients(true)
                .collectStdevUpdates(true)
                .collectStdevActivations(true)
                .collectMeanMagnitudesParameters(true)
                .collectMeanMagnitudesGradients(false)
                .collectMeanMagnitudesUpdates(true)
                .collectMeanMagnitudesActivations(false)
                .build();
    }

    /** The listener to put on the graph that trains (for a recording; a reopened run has none). */
    public TrainingListener listener() {
        if (listener == null) {
            throw new IllegalStateException(file + " was reopened for viewing; only a new recording has a listener");
        }
        return listener;
    }

    public Path file() {
        return file;
    }

    /** The run id for a recording; the first session in the file for a reopened one. */
    public String sessionId() {
        return sessionId;
    }

    /** The training sessions in the file. */
    public List<String> sessionIds() {
        return storage.listSessionIDs();
    }

    StatsStorage storage() {
        return storage;
    }

    /** Writes everything out (waiting for the reports still queued) and releases the file. Idempotent. */
    @Override
    public void close() {
        try {
            if (writes != null) {
                writes.close();
            }
        } finally {
            if (!storage.isClosed()) {
                storage.close();
            }
        }
    }

    private static void closeQuietly(FileStatsStorage storage) {
        try {
            storage.close();
        } catch (RuntimeException ignored) {
            // the file is already reported as unusable
        }
    }

    @Override
    public String toString() {
        return "RunStats(" + file + ")";
    }
}
