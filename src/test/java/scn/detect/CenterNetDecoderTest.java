package scn.detect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import scn.detect.CenterNetDecoder.Detection;
import scn.tensor.Tensor;

class CenterNetDecoderTest {
    private static float sig(double logit) {
        return (float) (1 / (1 + Math.exp(-logit)));
    }

    private static void assertBox(Detection d, float x, float y, float w, float h, float score, int cls) {
        assertArrayEquals(
                new float[] {x, y, w, h, score},
                new float[] {d.x(), d.y(), d.w(), d.h(), d.score()},
                1e-6f,
                d.toString());
        assertEquals(cls, d.classId(), d.toString());
    }

    @Test
    void peaksBoxesClippingAndPlateauTieOrder() {
        // Grid 3×4, two classes, K = 3, stride 4, frame 16×10.
        CenterNetDecoder.Config cfg = new CenterNetDecoder.Config(3, 4, 16, 10);
        Tensor heat = Tensor.full(-10f, 1, 2, 3, 4); // [B, C, H, W]
        heat.set(2f, 0, 0, 1, 1); // class 0 peak
        heat.set(1f, 0, 0, 1, 2); // its neighbour: suppressed by the 3×3 max
        heat.set(0.5f, 0, 1, 0, 3); // class 1 peak in the top-right corner
        Tensor off = Tensor.zeros(1, 2, 3, 4); // [B, 2, H, W]
        Tensor size = Tensor.zeros(1, 2, 3, 4); // [B, 2, H, W]
        off.set(0.25f, 0, 0, 1, 1);
        off.set(0.5f, 0, 1, 1, 1);
        size.set(2f, 0, 0, 1, 1);
        size.set(1f, 0, 1, 1, 1);
        off.set(0.5f, 0, 0, 0, 3);
        off.set(0.5f, 0, 1, 0, 3);
        size.set(3f, 0, 0, 0, 3);
        size.set(3f, 0, 1, 0, 3);

        List<Detection> dets = CenterNetDecoder.decode(cfg, heat, off, size).get(0);
        assertEquals(3, dets.size());
        // (x 1, y 1): centre ((1 + 0.25)·4, (1 + 0.5)·4) = (5, 6), size (8, 4): box (1, 4, 8, 4).
        assertBox(dets.get(0), 1, 4, 8, 4, sig(2), 0);
        // (x 3, y 0): centre (14, 2), size (12, 12): corners (8, -4)-(20, 8), clipped to (8, 0)-(16, 8).
        assertBox(dets.get(1), 8, 0, 8, 8, sig(0.5), 1);
        // Every class-0 cell touches (1, 1) or (1, 2), so class 0 has no other peak. In class 1, the cells
        // away from (0, 3) form a plateau at sigmoid(-10): each equals its 3×3 max and is a peak; the tie
        // goes to the lowest flattened index, class 1 (y 0, x 0), whose zero offset and size give a point.
        assertBox(dets.get(2), 0, 0, 0, 0, sig(-10), 1);
    }

    @Test
    void borderPeakIsKeptAndNonPeaksAreNotReturned() {
        // One class, 2×2: only (0, 0) is a peak, even though p < 0.5 (the -inf padding never wins).
        Tensor heat = Tensor.wrap(new float[] {-5, -6, -7, -8}, 1, 1, 2, 2);
        List<Detection> dets = CenterNetDecoder.decode(
                        CenterNetDecoder.GEN1, heat, Tensor.zeros(1, 2, 2, 2), Tensor.zeros(1, 2, 2, 2))
                .get(0);
        assertEquals(1, dets.size());
        assertEquals(sig(-5), dets.get(0).score());
    }

    @Test
    void equalScoresRankClassFirstThenRowThenColumn() {
        // Two classes, 1×5: class 1 has a peak at x 0, class 0 at x 4, with the same logit; class 0 also has
        // a two-cell plateau at x 1 and x 2 of that logit: both equal their 3×3 max, so both are peaks.
        Tensor heat = Tensor.wrap(
                new float[] {
                    -9, 3, 3, -9, 3,
                    3, -9, -9, -9, -9,
                },
                1,
                2,
                1,
                5);
        Tensor zeros = Tensor.zeros(1, 2, 1, 5);
        List<Detection> dets = CenterNetDecoder.decode(new CenterNetDecoder.Config(10, 1, 100, 100), heat, zeros, zeros)
                .get(0);
        // Peaks: class 0 at x 1, 2, 4 (score sig(3)); class 1 at x 0 (sig(3)) and x 2..4 (sig(-9) plateau,
        // x 1 touches x 0). Order: sig(3) by index 1, 2, 4, 5, then sig(-9) by index 7, 8, 9.
        int[] xs = dets.stream().mapToInt(d -> (int) d.x()).toArray();
        int[] cls = dets.stream().mapToInt(Detection::classId).toArray();
        assertArrayEquals(new int[] {1, 2, 4, 0, 2, 3, 4}, xs);
        assertArrayEquals(new int[] {0, 0, 0, 1, 1, 1, 1}, cls);
    }

    @Test
    void keepsOnlyTheKBestPeaks() {
        // One class, 1×9: isolated peaks at x 0, 2, 4, 6, 8 with increasing logits.
        Tensor heat = Tensor.wrap(new float[] {1, -9, 2, -9, 3, -9, 4, -9, 5}, 1, 1, 1, 9);
        Tensor zeros = Tensor.zeros(1, 2, 1, 9);
        List<Detection> dets = CenterNetDecoder.decode(new CenterNetDecoder.Config(3, 1, 100, 100), heat, zeros, zeros)
                .get(0);
        assertArrayEquals(
                new int[] {8, 6, 4}, dets.stream().mapToInt(d -> (int) d.x()).toArray());
        assertArrayEquals(new float[] {sig(5), sig(4), sig(3)}, new float[] {
            dets.get(0).score(), dets.get(1).score(), dets.get(2).score()
        });
    }

    @Test
    void eachSampleReadsItsOwnRegression() {
        Tensor heat = Tensor.wrap(new float[] {4, -9, -9, 4}, 2, 1, 1, 2); // sample 0 peak at x 0, sample 1 at x 1
        Tensor off = Tensor.wrap(
                new float[] {
                    0.5f, 0, 0.5f, 0, // sample 0: ox, oy at x 0
                    0, 0.25f, 0, 0.75f, // sample 1: ox, oy at x 1
                },
                2,
                2,
                1,
                2);
        Tensor size = Tensor.wrap(
                new float[] {
                    1, 0, 1, 0,
                    0, 2, 0, 2,
                },
                2,
                2,
                1,
                2);
        List<List<Detection>> out = CenterNetDecoder.decode(CenterNetDecoder.GEN1, heat, off, size);
        // Sample 0: centre (0.5·4, 0.5·4) = (2, 2), size 4: box (0, 0, 4, 4).
        assertBox(out.get(0).get(0), 0, 0, 4, 4, sig(4), 0);
        // Sample 1: centre (1.25·4, 0.75·4) = (5, 3), size 8: corners (1, -1)-(9, 7), clipped to (1, 0)-(9, 7).
        assertBox(out.get(1).get(0), 1, 0, 8, 7, sig(4), 0);
    }

    @Test
    void rejectsMismatchedShapes() {
        assertThrows(
                IllegalArgumentException.class,
                () -> CenterNetDecoder.decode(
                        CenterNetDecoder.GEN1,
                        Tensor.zeros(1, 2, 4, 4),
                        Tensor.zeros(1, 2, 4, 5),
                        Tensor.zeros(1, 2, 4, 4)));
        assertThrows(
                IllegalArgumentException.class,
                () -> CenterNetDecoder.decode(
                        CenterNetDecoder.GEN1, Tensor.zeros(2, 4, 4), Tensor.zeros(2, 4, 4), Tensor.zeros(2, 4, 4)));
    }
}
