package scn.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import scn.eval.Gen1Evaluation.Boxes;

/** Hand-worked GEN1 protocol cases; the AP arithmetic follows the notation of {@link CocoEvaluatorTest}. */
class Gen1EvaluationTest {
    private static final double TOL = 1e-12;

    private static double[] row(double t, double x, double y, double w, double h, int cls, double score) {
        return new double[] {t, x, y, w, h, cls, score};
    }

    private static Boxes boxes(double[]... rows) {
        return Boxes.ofRows(rows);
    }

    @Test
    void perfectDetectionsScoreOne() {
        Boxes gtA = boxes(
                row(600_000, 10, 10, 40, 40, 0, 1), // medium car
                row(600_000, 100, 50, 20, 40, 1, 1), // small pedestrian (800 px²)
                row(700_000, 50, 50, 100, 100, 0, 1)); // large car
        Boxes gtB = boxes(row(1_000_000, 0, 0, 30, 30, 0, 1));
        Boxes dtA = boxes(
                row(600_000, 10, 10, 40, 40, 0, 0.9),
                row(600_000, 100, 50, 20, 40, 1, 0.8),
                row(700_000, 50, 50, 100, 100, 0, 0.7));
        Boxes dtB = boxes(row(1_000_000, 0, 0, 30, 30, 0, 0.6));
        Gen1Evaluation.Result r =
                Gen1Evaluation.evaluate(Protocol.GEN1, Map.of("a", gtA, "b", gtB), Map.of("a", dtA, "b", dtB));
        assertEquals(3, r.images());
        for (double v : r.toMap().values()) assertEquals(1.0, v, TOL);
        assertEquals(
                List.of("map", "ap50", "ap75", "ap_small", "ap_medium", "ap_large"),
                List.copyOf(r.toMap().keySet()));
    }

    @Test
    void filterBoundaries() {
        Protocol p = Protocol.GEN1;
        assertFalse(p.keep(500_000, 40, 40)); // t > 0.5 s, strictly
        assertTrue(p.keep(500_001, 40, 40));
        assertTrue(p.largeEnough(18, 24)); // 324 + 576 = 900 = 30²
        assertFalse(p.largeEnough(18, 23.9f));
        assertTrue(p.largeEnough(10, 30));
        assertFalse(p.largeEnough(9.99f, 40));
        assertFalse(p.largeEnough(40, 9.99f));
    }

    @Test
    void filterAppliesToGroundTruthAndDetections() {
        Boxes gt = boxes(
                row(500_000, 0, 0, 40, 40, 0, 1), // too early: no image at 0.5 s
                row(540_000, 0, 0, 40, 40, 0, 1), // the one object evaluated
                row(540_000, 100, 0, 9, 40, 0, 1), // too narrow
                row(540_000, 200, 0, 20, 20, 0, 1)); // diagonal² 800 < 900
        Boxes dt = boxes(
                row(540_000, 0, 0, 40, 40, 0, 0.5), // TP
                row(540_000, 100, 0, 9, 40, 0, 0.9), // filtered, else an FP ranked first
                row(540_000, 200, 0, 20, 20, 0, 0.9), // filtered, else an FP ranked first
                row(500_000, 60, 0, 40, 40, 0, 0.9)); // within 50 ms of 0.54 s, but not after 0.5 s
        Gen1Evaluation.Result r = Gen1Evaluation.evaluate(Protocol.GEN1, Map.of("rec", gt), Map.of("rec", dt));
        assertEquals(1, r.images());
        assertEquals(1.0, r.map(), TOL);
    }

    @Test
    void detectionWindowsAreInclusiveAndMayOverlap() {
        // Images at 1.0 s and 1.1 s. d1 at 1.05 s is within ±50 ms of both: TP in image 1, FP in image 2.
        Boxes gt = boxes(row(1_000_000, 0, 0, 40, 40, 0, 1), row(1_100_000, 100, 100, 40, 40, 0, 1));
        double[] d1 = row(1_050_000, 0, 0, 40, 40, 0, 0.9);

        // d2 at 1.150001 s is outside image 2's window. Equal scores keep image order: TP, FP:
        // tp = [1, 1], fp = [0, 1], rc = [1/2, 1/2], pr = [1, 1/2]: AP = 51/101.
        Gen1Evaluation.Result outside = Gen1Evaluation.evaluate(
                Protocol.GEN1, Map.of("r", gt), Map.of("r", boxes(d1, row(1_150_001, 100, 100, 40, 40, 0, 0.8))));
        assertEquals(51.0 / 101, outside.map(), TOL);

        // d2 at exactly 1.15 s belongs to image 2: TP, FP, TP: rc = [1/2, 1/2, 1], pr = [1, 1/2, 2/3]
        // -> envelope [1, 2/3, 2/3]; r = 0..50 -> 1, r = 51..100 -> 2/3: AP = (51 + 50·2/3)/101.
        Gen1Evaluation.Result inside = Gen1Evaluation.evaluate(
                Protocol.GEN1, Map.of("r", gt), Map.of("r", boxes(d1, row(1_150_000, 100, 100, 40, 40, 0, 0.8))));
        assertEquals((51 + 50 * 2.0 / 3) / 101, inside.map(), TOL);
    }

    @Test
    void recordingWithoutDetectionsCountsItsGroundTruth() {
        // One object found of two: rc = [1/2], pr = [1]: AP = 51/101.
        Boxes gt = boxes(row(600_000, 0, 0, 40, 40, 0, 1));
        Gen1Evaluation.Result r = Gen1Evaluation.evaluate(Protocol.GEN1, Map.of("a", gt, "b", gt), Map.of("a", gt));
        assertEquals(2, r.images());
        assertEquals(51.0 / 101, r.map(), TOL);
    }

    @Test
    void detectionsOfAClassWithoutGroundTruthDoNotCount() {
        Boxes gt = boxes(row(600_000, 0, 0, 40, 40, 0, 1));
        Boxes dt = boxes(
                row(600_000, 0, 0, 40, 40, 0, 0.5),
                row(600_000, 0, 0, 40, 40, 1, 0.9), // pedestrian: no pedestrian ground truth, precision -1
                row(600_000, 0, 0, 40, 40, 5, 0.9)); // category 6 is not evaluated
        Gen1Evaluation.Result r = Gen1Evaluation.evaluate(Protocol.GEN1, Map.of("a", gt), Map.of("a", dt));
        assertEquals(1.0, r.map(), TOL);
        assertEquals(-1.0, r.coco().precision(0, 0, 1, 0, 2), 0.0);
    }

    @Test
    void unsortedInputIsSortedByTime() {
        Boxes gt = boxes(row(700_000, 0, 0, 40, 40, 0, 1), row(600_000, 50, 50, 40, 40, 0, 1));
        // Given in reverse time order; once sorted, each detection falls in its own image's window.
        Boxes dt = boxes(row(700_000, 0, 0, 40, 40, 0, 0.9), row(550_000, 50, 50, 40, 40, 0, 0.8));
        Gen1Evaluation.Result r = Gen1Evaluation.evaluate(Protocol.GEN1, Map.of("a", gt), Map.of("a", dt));
        assertEquals(2, r.images());
        assertEquals(1.0, r.map(), TOL);
    }

    @Test
    void noGroundTruthGivesMinusOneAndStrayDetectionsAreRefused() {
        Boxes early = boxes(row(100, 0, 0, 40, 40, 0, 1));
        Gen1Evaluation.Result r = Gen1Evaluation.evaluate(Protocol.GEN1, Map.of("a", early), Map.of());
        assertEquals(0, r.images());
        assertEquals(-1.0, r.map(), 0.0);
        assertThrows(
                IllegalArgumentException.class,
                () -> Gen1Evaluation.evaluate(Protocol.GEN1, Map.of(), Map.of("x", boxes())));
        assertThrows(IllegalArgumentException.class, () -> Boxes.ofRows(new double[][] {{1, 2, 3}}));
    }
}
