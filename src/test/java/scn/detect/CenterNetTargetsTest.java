package scn.detect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import scn.tensor.Tensor;

class CenterNetTargetsTest {
    private static final CenterNetTargets.Geometry G = CenterNetTargets.GEN1;
    private static final float E2 = (float) Math.exp(-2); // r = 1: sigma = 0.5, a side neighbour is exp(-1/(2·0.25))
    private static final float E4 = (float) Math.exp(-4); // r = 1: a diagonal neighbour, exp(-2/(2·0.25))

    private static float heat(CenterNetTargets.Sample s, int c, int y, int x) {
        return s.heatmap().get(c, y, x);
    }

    @Test
    void radiusMatchesHandComputedRoots() {
        // Box 40×20 px at R = 4: h = 5, w = 10, m = 0.7.
        //   r1 = (15 + sqrt(225 - 4·50·0.3/1.7)) / 2 = 14.3867
        //   r2 = (30 + sqrt(900 - 16·15)) / 2 = (30 + sqrt(660)) / 2 = 27.8452
        //   r3 = (-21 + sqrt(441 + 4·2.8·15)) / 2 = (-21 + sqrt(609)) / 2 = 1.83896
        assertEquals((-21 + Math.sqrt(609)) / 2, CenterNetTargets.gaussianRadius(5, 10, 0.7), 1e-12);
        assertEquals(1.8389626792530667, CenterNetTargets.gaussianRadius(5, 10, 0.7), 1e-12);
        // Box 100×60: h = 15, w = 25: r3 = (-56 + sqrt(3136 + 4·2.8·112.5)) / 2 = (-56 + sqrt(4396)) / 2 = 5.15117
        assertEquals((-56 + Math.sqrt(4396)) / 2, CenterNetTargets.gaussianRadius(15, 25, 0.7), 1e-12);
        // Box 12×12: h = w = 3: r3 = (-8.4 + sqrt(70.56 + 4·2.8·2.7)) / 2 = (-8.4 + sqrt(100.8)) / 2 = 0.81996
        assertEquals((-8.4 + Math.sqrt(100.8)) / 2, CenterNetTargets.gaussianRadius(3, 3, 0.7), 1e-12);
        // A zero-width box: r3 = (-2·0.7·h + 2·0.7·h) / 2 = 0.
        assertEquals(0.0, CenterNetTargets.gaussianRadius(2.5, 0, 0.7), 1e-12);

        assertEquals(1, CenterNetTargets.heatmapRadius(40, 20, 4));
        assertEquals(5, CenterNetTargets.heatmapRadius(100, 60, 4));
        assertEquals(0, CenterNetTargets.heatmapRadius(12, 12, 4));
        assertEquals(10, CenterNetTargets.heatmapRadius(200, 120, 4)); // 10.3023 from the same roots
    }

    @Test
    void singleObjectGivesPeakOffsetSizeAndIndex() {
        // Centre ((100 + 20)/4, (40 + 10)/4) = (30, 12.5): cell (x 30, y 12), offset (0, 0.5), size (10, 5).
        CenterNetTargets.Sample s = CenterNetTargets.forSample(G, new float[][] {{100, 40, 40, 20, 1}});
        assertArrayEquals(new int[] {2, 64, 80}, s.heatmap().shape());
        assertEquals(1, s.count());
        assertEquals(12 * 80 + 30, s.indices()[0]);
        assertEquals(1, s.classes()[0]);
        assertEquals(0f, s.offsets().get(0, 0));
        assertEquals(0.5f, s.offsets().get(0, 1));
        assertEquals(10f, s.sizes().get(0, 0));
        assertEquals(5f, s.sizes().get(0, 1));
        assertEquals(1f, s.mask().get(0));
        assertEquals(0f, s.mask().get(1));

        assertEquals(1f, heat(s, 1, 12, 30));
        assertEquals(E2, heat(s, 1, 12, 31));
        assertEquals(E2, heat(s, 1, 11, 30));
        assertEquals(E4, heat(s, 1, 13, 31));
        assertEquals(0f, heat(s, 1, 12, 32)); // outside the radius-1 patch
        double sum = 0;
        for (float v : s.heatmap().data()) sum += v;
        assertEquals(1 + 4 * E2 + 4 * (double) E4, sum, 1e-6); // class 0 untouched, 3×3 patch only
    }

    @Test
    void overlappingObjectsTakeTheMaximum() {
        // Two 40×20 cars with centres in cells (10, 10) and (11, 10), both radius 1.
        CenterNetTargets.Sample s =
                CenterNetTargets.forSample(G, new float[][] {{22, 32, 40, 20, 0}, {26, 32, 40, 20, 0}});
        assertEquals(2, s.count());
        assertEquals(1f, heat(s, 0, 10, 10));
        assertEquals(1f, heat(s, 0, 10, 11)); // B's peak wins over A's exp(-2)
        assertEquals(E2, heat(s, 0, 11, 11)); // max(exp(-4) from A, exp(-2) from B), never the sum
        assertEquals(E2, heat(s, 0, 10, 12)); // only B reaches
        assertEquals(E2, heat(s, 0, 10, 9)); // only A reaches
        assertEquals(0.5f, s.offsets().get(0, 0)); // 42/4 = 10.5
        assertEquals(0.5f, s.offsets().get(1, 0)); // 46/4 = 11.5
    }

    @Test
    void gaussianIsTruncatedAtTheGridBorder() {
        // 100×60 box with centre (0.5, 0.5) in grid units: cell (0, 0), radius 5, sigma = 11/6.
        CenterNetTargets.Sample s = CenterNetTargets.forSample(G, new float[][] {{-48, -28, 100, 60, 0}});
        assertEquals(1, s.count());
        assertEquals(1f, heat(s, 0, 0, 0));
        double twoSigmaSq = 2 * (11 / 6.0) * (11 / 6.0);
        assertEquals((float) Math.exp(-25 / twoSigmaSq), heat(s, 0, 0, 5));
        assertEquals(0f, heat(s, 0, 0, 6));
        int nonZero = 0;
        for (float v : s.heatmap().data()) if (v > 0) nonZero++;
        assertEquals(36, nonZero); // the 11×11 patch keeps its 6×6 quarter inside the grid

        // Bottom-right corner: centre cell (79, 63).
        CenterNetTargets.Sample corner = CenterNetTargets.forSample(G, new float[][] {{268, 222, 100, 60, 1}});
        assertEquals(63 * 80 + 79, corner.indices()[0]);
        assertEquals(1f, heat(corner, 1, 63, 79));
        assertEquals((float) Math.exp(-25 / twoSigmaSq), heat(corner, 1, 58, 79));
    }

    @Test
    void objectsWithCentreOutsideTheGridAreDropped() {
        CenterNetTargets.Sample s = CenterNetTargets.forSample(G, new float[][] {
            {300, 10, 40, 20, 0}, // cx = 320/4 = 80: outside [0, 80)
            {-21, 10, 40, 20, 0}, // cx = -1/4: floor -1
            {10, 250, 20, 20, 0}, // cy = 260/4 = 65
            {0, 0, 20, 20, 1}, // kept: cell (2, 2)
        });
        assertEquals(1, s.count());
        assertEquals(2 * 80 + 2, s.indices()[0]);
        assertEquals(1, s.classes()[0]);
        assertEquals(1f, heat(s, 1, 2, 2));
        assertEquals(0f, heat(s, 0, 2, 77));
    }

    @Test
    void atMostOneHundredObjectsInInputOrder() {
        float[][] boxes = new float[151][];
        boxes[0] = new float[] {1000, 0, 20, 20, 0}; // dropped, does not use a slot
        for (int i = 1; i < boxes.length; i++) {
            int cell = i - 1;
            boxes[i] = new float[] {4 * (cell % 80), 4 * (cell / 80), 0, 0, 0};
        }
        CenterNetTargets.Sample s = CenterNetTargets.forSample(G, boxes);
        assertEquals(100, s.count());
        float maskSum = 0;
        for (float v : s.mask().data()) maskSum += v;
        assertEquals(100f, maskSum);
        assertEquals(99, s.indices()[99]); // boxes 1..100 fill the slots, box 101 onwards is cut
        assertEquals(1f, heat(s, 0, 1, 19)); // cell 99
        assertEquals(0f, heat(s, 0, 1, 20)); // cell 100 was not drawn
    }

    @Test
    void batchSkipsPaddingAndMatchesSingleSamples() {
        float[] rows = {
            100, 40, 40, 20, 1, 0, 0, 0, 0, -1, 0, 0, 0, 0, -1,
            22, 32, 40, 20, 0, 0, 0, 0, 0, -1, 26, 32, 40, 20, 0,
        };
        CenterNetTargets.Batch b = CenterNetTargets.forBatch(G, Tensor.wrap(rows, 2, 3, 5));
        assertArrayEquals(new int[] {1, 2}, b.counts());
        assertEquals(3, b.totalObjects());
        assertArrayEquals(new int[] {2, 2, 64, 80}, b.heatmap().shape());
        assertArrayEquals(new int[] {2, 100, 2}, b.offsets().shape());

        CenterNetTargets.Sample s0 = CenterNetTargets.forSample(G, new float[][] {{100, 40, 40, 20, 1}});
        CenterNetTargets.Sample s1 =
                CenterNetTargets.forSample(G, new float[][] {{22, 32, 40, 20, 0}, {26, 32, 40, 20, 0}});
        int plane = 2 * 64 * 80;
        float[] heat = b.heatmap().data();
        assertArrayEquals(s0.heatmap().data(), java.util.Arrays.copyOfRange(heat, 0, plane));
        assertArrayEquals(s1.heatmap().data(), java.util.Arrays.copyOfRange(heat, plane, 2 * plane));
        assertEquals(s1.indices()[1], b.indices()[100 + 1]);
        assertEquals(s1.offsets().get(1, 0), b.offsets().get(1, 1, 0));
        assertEquals(1f, b.mask().get(1, 1));
        assertEquals(0f, b.mask().get(0, 1));
    }

    @Test
    void rejectsBadClassesAndSizes() {
        assertThrows(
                IllegalArgumentException.class, () -> CenterNetTargets.forSample(G, new float[][] {{0, 0, 10, 10, 2}}));
        assertThrows(
                IllegalArgumentException.class,
                () -> CenterNetTargets.forSample(G, new float[][] {{0, 0, 10, 10, 0.5f}}));
        assertThrows(
                IllegalArgumentException.class, () -> CenterNetTargets.forSample(G, new float[][] {{0, 0, -1, 10, 0}}));
        assertThrows(
                IllegalArgumentException.class, () -> CenterNetTargets.forSample(G, new float[][] {{0, 0, 10, 10}}));
        assertThrows(IllegalArgumentException.class, () -> CenterNetTargets.forBatch(G, Tensor.zeros(1, 2, 4)));
    }
}
