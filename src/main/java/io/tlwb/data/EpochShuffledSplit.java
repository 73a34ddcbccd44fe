package io.tlwb.data;

import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.datavec.api.split.CollectionInputSplit;

/**
 * A fixed list of image files read in their given order, or, when shuffling, in an order that depends only on the
 * seed and the epoch number ({@link #epoch(int)}), so that a run can be replayed.
 */
final class EpochShuffledSplit extends CollectionInputSplit {

    private final boolean shuffle;
    private final long seed;

    EpochShuffledSplit(List<URI> files, boolean shuffle, long seed) {
        super(files);
        this.shuffle = shuffle;
        this.seed = seed;
        epoch(0);
    }

    /** Sets the read order to that of epoch {@code epoch}; takes effect at the record reader's next reset. */
    void epoch(int epoch) {
        if (!shuffle) {
            iterationOrder = null;
            return;
        }
        List<Integer> order = new ArrayList<>(IntStream.range(0, uriStrings.size()).boxed().toList());
        Collections.shuffle(order, new Random(Seeds.mix(seed, epoch)));
        iterationOrder = order.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public void reset() {
        // the order is set by epoch(int), not reshuffled behind our back
    }
}
