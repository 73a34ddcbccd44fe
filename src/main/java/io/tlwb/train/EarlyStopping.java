package io.tlwb.train;

import io.tlwb.features.FeatureSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Stop training the head when the loss on a slice held out of the training split has not improved for
 * {@code patience} epochs, and keep the head of its best epoch. The slice is drawn per class (stratified) and seeded,
 * and it is not the validation split the figures are reported on.
 *
 * @param patience epochs without improvement before stopping
 * @param heldOut  fraction of each class's training images held out to watch
 */
public record EarlyStopping(int patience, double heldOut) {

    public EarlyStopping {
        if (patience < 1 || patience > 1000) {
            throw new IllegalArgumentException("--early-stopping must be between 1 and 1000 epochs, got " + patience);
        }
        if (!(heldOut > 0 && heldOut < 0.5)) {
            throw new IllegalArgumentException("--early-stopping-split must be above 0 and below 0.5, got " + heldOut);
        }
    }

    /** The training rows split into those the head fits and those it is watched on (original view only). */
    record Split(FeatureSet fit, FeatureSet watch) {
    }

    /** At least one image of each class (with at least two) is held out; the rest keep every view. */
    Split split(FeatureSet train, long seed) {
        Random random = new Random(seed ^ 0x5DEECE66DL);
        List<Integer> fit = new ArrayList<>();
        List<Integer> watch = new ArrayList<>();
        for (int c = 0; c < train.numClasses(); c++) {
            List<Integer> rows = new ArrayList<>();
            for (int i = 0; i < train.size(); i++) {
                if (train.labels()[i] == c) {
                    rows.add(i);
                }
            }
            Collections.shuffle(rows, random);
            int held = rows.size() < 2 ? 0 : Math.max(1, (int) Math.round(heldOut * rows.size()));
            watch.addAll(rows.subList(0, held));
            fit.addAll(rows.subList(held, rows.size()));
        }
        fit.sort(null);
        watch.sort(null);
        return new Split(train.rows(fit.stream().mapToInt(Integer::intValue).toArray(), false),
                train.rows(watch.stream().mapToInt(Integer::intValue).toArray(), true));
    }

    /** How it ended, for the report, the card and the console. */
    public record Result(int bestEpoch, int epochsRun, double bestHeldOutLoss) {
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("bestEpoch", bestEpoch);
            m.put("epochsRun", epochsRun);
            m.put("bestHeldOutLoss", bestHeldOutLoss);
            return m;
        }
    }

    public Map<String, Object> toMap() {
        return Map.of("patience", patience, "heldOut", heldOut);
    }
}
