package io.tlwb.ui;

import io.tlwb.BackgroundWrites;
import java.util.Collection;
import org.deeplearning4j.core.storage.Persistable;
import org.deeplearning4j.core.storage.StatsStorageRouter;
import org.deeplearning4j.core.storage.StorageMetaData;

/**
 * Hands the training listener's reports to the stats file on a {@link BackgroundWrites} thread: the file commits each
 * report with an fsync, which took a fifth of head training when it ran on the training thread. The dashboard reads
 * the file, so it shows each report once written, a moment later.
 */
final class BackgroundStatsRouter implements StatsStorageRouter {

    private final StatsStorageRouter storage;
    private final BackgroundWrites writes;

    BackgroundStatsRouter(StatsStorageRouter storage, BackgroundWrites writes) {
        this.storage = storage;
        this.writes = writes;
    }

    @Override
    public void putStorageMetaData(StorageMetaData metaData) {
        writes.submit(() -> storage.putStorageMetaData(metaData));
    }

    @Override
    public void putStorageMetaData(Collection<? extends StorageMetaData> metaData) {
        writes.submit(() -> storage.putStorageMetaData(metaData));
    }

    @Override
    public void putStaticInfo(Persistable staticInfo) {
        writes.submit(() -> storage.putStaticInfo(staticInfo));
    }

    @Override
    public void putStaticInfo(Collection<? extends Persistable> staticInfo) {
        writes.submit(() -> storage.putStaticInfo(staticInfo));
    }

    @Override
    public void putUpdate(Persistable update) {
        writes.submit(() -> storage.putUpdate(update));
    }

    @Override
    public void putUpdate(Collection<? extends Persistable> updates) {
        writes.submit(() -> storage.putUpdate(updates));
    }
}
