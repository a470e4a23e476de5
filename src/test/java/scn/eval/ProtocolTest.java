package scn.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import scn.eval.Gen1Evaluation.Boxes;

/** Each named protocol's filter on boxes at its edges, where another protocol decides otherwise. */
class ProtocolTest {
    private static final Protocol GEN1 = Protocol.GEN1, PSEE = Protocol.PSEE_GEN1, GEN4 = Protocol.GEN4;

    /** Which of gen1, psee-gen1 and gen4 keep the box, in that order. */
    private static List<Boolean> keptBy(long t, float w, float h) {
        return List.of(GEN1.keep(t, w, h), PSEE.keep(t, w, h), GEN4.keep(t, w, h));
    }

    @Test
    void theNamedValuesAreTheSources() {
        assertEquals(new Protocol("gen1", 500_000, 30, 10, 50_000), GEN1);
        assertEquals(new Protocol("psee-gen1", 100_000, 30, 20, 50_000), PSEE);
        assertEquals(new Protocol("gen4", 500_000, 60, 20, 50_000), GEN4);
        assertEquals(List.of(GEN1, PSEE, GEN4), Protocol.NAMED);
    }

    @Test
    void timeSkipEdges() {
        assertEquals(List.of(false, false, false), keptBy(100_000, 80, 80)); // t > skip, strictly
        assertEquals(List.of(false, true, false), keptBy(100_001, 80, 80)); // psee-gen1 skips 0.1 s only
        assertEquals(List.of(false, true, false), keptBy(500_000, 80, 80));
        assertEquals(List.of(true, true, true), keptBy(500_001, 80, 80));
    }

    @Test
    void sideEdges() {
        long t = 1_000_000;
        assertEquals(List.of(true, false, false), keptBy(t, 10, 40)); // gen1 takes 10 px sides
        assertEquals(List.of(false, false, false), keptBy(t, 9.99f, 40));
        assertEquals(List.of(true, false, false), keptBy(t, 40, 19.99f)); // the others want 20 px
        assertEquals(List.of(true, true, false), keptBy(t, 40, 20)); // gen4's diagonal still too short
        assertEquals(List.of(true, true, true), keptBy(t, 20, 60));
    }

    @Test
    void diagonalEdges() {
        long t = 1_000_000;
        // psee-gen1 filters by diagonal too, with gen1's 30 px: both sides pass its 20 px, 400 + 497.29 < 900 does not
        assertEquals(List.of(false, false, false), keptBy(t, 20, 22.3f));
        assertEquals(List.of(true, true, false), keptBy(t, 20, 23)); // 400 + 529 >= 900
        assertEquals(List.of(true, false, false), keptBy(t, 18, 24)); // 324 + 576 = 900 = 30², sides 18 < 20
        assertEquals(List.of(false, false, false), keptBy(t, 18, 23.9f));
        assertEquals(List.of(true, true, true), keptBy(t, 36, 48)); // 1296 + 2304 = 3600 = 60²
        assertEquals(List.of(true, true, false), keptBy(t, 36, 47.9f));
    }

    @Test
    void theSameDetectionsScoreDifferentlyUnderEachProtocol() {
        // a narrow pedestrian (15 px wide) found, a car missed: gen1 scores both, psee-gen1 only the car
        Boxes gt = Boxes.ofRows(new double[][] {{600_000, 10, 10, 15, 40, 1, 1}, {600_000, 100, 100, 40, 40, 0, 1}});
        Boxes dt = Boxes.ofRows(new double[][] {{600_000, 10, 10, 15, 40, 1, 0.9}});
        Gen1Evaluation.Result gen1 = Gen1Evaluation.evaluate(GEN1, Map.of("r", gt), Map.of("r", dt));
        Gen1Evaluation.Result psee = Gen1Evaluation.evaluate(PSEE, Map.of("r", gt), Map.of("r", dt));
        assertEquals(0.5, gen1.map(), 1e-12, "pedestrians 1, cars 0");
        assertEquals(0.0, psee.map(), 1e-12, "only the missed car is scored");
        assertSame(PSEE, psee.protocol());
    }

    @Test
    void theTimeToleranceDecidesWhichImageADetectionMeets() {
        Boxes gt = Boxes.ofRows(new double[][] {{1_000_000, 0, 0, 40, 40, 0, 1}});
        Boxes dt = Boxes.ofRows(new double[][] {{1_060_000, 0, 0, 40, 40, 0, 0.9}}); // 60 ms late
        assertEquals(
                0.0,
                Gen1Evaluation.evaluate(GEN1, Map.of("r", gt), Map.of("r", dt)).map(),
                1e-12);
        Protocol wide = GEN1.with(null, null, null, 60_000L);
        assertEquals(
                1.0,
                Gen1Evaluation.evaluate(wide, Map.of("r", gt), Map.of("r", dt)).map(),
                1e-12);
    }

    @Test
    void namesAndOverrides() {
        assertSame(PSEE, Protocol.named("psee-gen1"));
        assertSame(GEN4, Protocol.named(" GEN4 "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Protocol.named("gen2"));
        assertEquals("unknown protocol 'gen2': known protocols are gen1, psee-gen1, gen4", e.getMessage());

        assertSame(GEN1, GEN1.with(null, null, null, null));
        assertSame(GEN1, GEN1.with(500_000L, 30.0, null, null), "the named values again: still gen1");
        Protocol custom = PSEE.with(null, null, 10.0, null);
        assertEquals(new Protocol(Protocol.CUSTOM, 100_000, 30, 10, 50_000), custom);
        assertTrue(custom.keep(200_000, 10, 40) && !PSEE.keep(200_000, 10, 40));

        assertThrows(IllegalArgumentException.class, () -> GEN1.with(-1L, null, null, null));
        assertThrows(IllegalArgumentException.class, () -> GEN1.with(null, Double.NaN, null, null));
        assertThrows(IllegalArgumentException.class, () -> GEN1.with(null, null, -0.5, null));
        assertThrows(IllegalArgumentException.class, () -> GEN1.with(null, null, null, -1L));
        assertThrows(IllegalArgumentException.class, () -> new Protocol("Gen 1", 0, 0, 0, 0));
    }

    @Test
    void reportsCarryTheNameAndTheFourValues() {
        assertEquals(
                "psee-gen1 (t > 100000 us, diagonal >= 30 px, sides >= 20 px, time tolerance 50000 us)",
                PSEE.describe());
        assertEquals(
                "custom (t > 500000 us, diagonal >= 30 px, sides >= 12.5 px, time tolerance 50000 us)",
                GEN1.with(null, null, 12.5, null).describe());
        Map<String, Object> m = GEN4.toMap();
        assertEquals(List.of("name", "skip_us", "min_diag", "min_side", "time_tol_us"), List.copyOf(m.keySet()));
        assertEquals(List.of("gen4", 500_000L, 60.0, 20.0, 50_000L), List.copyOf(m.values()));
        assertFalse(GEN1.toMap().equals(PSEE.toMap()));
    }
}
