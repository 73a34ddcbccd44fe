package io.tlwb.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The figures every report prints, against numbers worked out by hand. */
class EvaluatorTest {

    private static final List<String> CLASSES = List.of("ants", "bees");

    private static Prediction p(int truth, float ants, float bees) {
        return new Prediction("img" + truth + ants, truth, new float[] {ants, bees});
    }

    @Test
    void accuracyLossPrecisionRecallAndAucOfATinyCase() {
        EvaluationResult r = Evaluator.evaluate(CLASSES, List.of(
                p(0, 0.9f, 0.1f), p(0, 0.6f, 0.4f), p(1, 0.7f, 0.3f), p(1, 0.2f, 0.8f)));

        assertEquals(0.75, r.accuracy(), 1e-9);
        double loss = -(Math.log(0.9f) + Math.log(0.6f) + Math.log(0.3f) + Math.log(0.8f)) / 4;
        assertEquals(loss, r.loss(), 1e-6);
        assertEquals(2.0 / 3, r.perClass().get(0).precision(), 1e-9); // three predicted ants, two right
        assertEquals(1.0, r.perClass().get(0).recall(), 1e-9);
        assertEquals(1.0, r.perClass().get(1).precision(), 1e-9);
        assertEquals(0.5, r.perClass().get(1).recall(), 1e-9);
        assertArrayEquals(new int[] {2, 0}, r.confusion()[0]);
        assertArrayEquals(new int[] {1, 1}, r.confusion()[1]);
        // bees scored 0.3 and 0.8 against ants' 0.1 and 0.4: three of the four pairs ordered right
        assertEquals(0.75, r.rocAuc(), 1e-9);
    }

    @Test
    void aZeroProbabilityForTheTrueClassGivesAClippedFiniteLoss() {
        EvaluationResult r = Evaluator.evaluate(CLASSES, List.of(p(0, 0f, 1f), p(1, 0f, 1f)));
        assertEquals(-Math.log(Evaluator.EPSILON) / 2, r.loss(), 1e-9);
        assertTrue(Double.isFinite(r.loss()));
    }

    @Test
    void aClassNeverPredictedHasPrecisionZeroNotNaN() {
        EvaluationResult r = Evaluator.evaluate(CLASSES, List.of(p(0, 0.9f, 0.1f), p(1, 0.8f, 0.2f)));
        assertEquals(0.0, r.perClass().get(1).precision());
        assertEquals(0.0, r.perClass().get(1).recall());
        assertEquals(0.5, r.perClass().get(0).precision(), 1e-9);
    }

    @Test
    void onlyOneClassPresentHasNoAuc() {
        EvaluationResult r = Evaluator.evaluate(CLASSES, List.of(p(0, 0.9f, 0.1f), p(0, 0.3f, 0.7f)));
        assertTrue(Double.isNaN(r.rocAuc()));
    }

    @Test
    void nothingToEvaluateIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Evaluator.evaluate(CLASSES, List.of()));
    }
}
