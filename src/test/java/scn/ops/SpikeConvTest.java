package scn.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static scn.TestUtil.assertClose;
import static scn.TestUtil.random;
import static scn.TestUtil.randomSpikes;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import scn.backend.Kernels;
import scn.backend.SpikePath;
import scn.tensor.ConvGeometry;
import scn.tensor.SpikeTensor;
import scn.tensor.Tensor;

/**
 * The event-driven convolution against the reference and the dense path on identical spikes, for
 * every geometry the network uses, on odd sizes (channel counts around the SIMD width, planes that
 * are not multiples of 8 bytes) and densities 0, 1 %, 20 % and 100 %.
 *
 * <p>Tolerances: the reference sums in double, the other paths add float32 in another order; a sum
 * of K terms of size ≤ 1 can then differ by about K·2⁻²⁴, so atol is 1e-6·K (K = the patch for the
 * output, the positions summed for the weight gradient) and rtol 1e-4.
 */
class SpikeConvTest {
    /** {n, cin, h, w, cout, k, stride, pad, groups}: the network's layer types, shrunk. */
    private static final int[][] GEOMETRIES = {
        {2, 4, 23, 29, 19, 7, 2, 3, 1}, // stem 7x7/2 on 4 channels
        {3, 17, 9, 13, 16, 3, 1, 1, 1}, // 3x3/1, one SIMD vector of outputs
        {2, 9, 11, 10, 35, 3, 1, 1, 1}, // 3x3/1, vectors and a scalar tail
        {2, 16, 13, 11, 33, 3, 2, 1, 1}, // 3x3/2
        {3, 18, 7, 9, 21, 1, 1, 0, 1}, // 1x1 expand
        {2, 27, 6, 11, 5, 1, 1, 0, 1}, // 1x1 project
        {2, 16, 9, 13, 32, 1, 2, 0, 1}, // 1x1/2 downsample
        {2, 19, 10, 9, 19, 3, 1, 1, 19}, // depthwise 3x3
        {2, 12, 8, 9, 8, 3, 1, 1, 4}, // grouped 3x3 (not in the network; the general path)
        {1, 131, 5, 6, 20, 3, 1, 1, 1}, // more than 64 input channels: several bit-set words per position
        {1, 3, 40, 200, 48, 3, 1, 1, 1}, // wide rows: the output is gathered in several bands of 3 rows
        {1, 4, 64, 300, 24, 7, 2, 3, 1}, // strided, several bands whose input rows overlap
    };

    private static final double[] DENSITIES = {0, 0.01, 0.2, 1};

    @AfterEach
    void restore() {
        SpikePath.force(SpikePath.Mode.AUTO);
        Kernels.forceReference(false);
        ConvTrace.enable(false);
        ConvTrace.reset();
    }

    /** Forward output and weight gradient (accumulated onto {@code dw0}) on the given path. */
    private static float[][] run(
            SpikePath.Mode mode, boolean reference, SpikeTensor x, Tensor w, Tensor dy, Tensor dw0, ConvGeometry g) {
        SpikePath.force(mode);
        Kernels.forceReference(reference);
        Tensor y = Conv2d.forward(x, w, g.stride(), g.pad(), g.groups());
        Tensor dw = dw0.copy();
        Conv2d.backwardWeight(dw, dy, null, x.data(), g);
        return new float[][] {y.data(), dw.data()};
    }

    @Test
    void eventDrivenMatchesReferenceAndDenseOnEveryLayerType() {
        long seed = 1;
        for (int[] c : GEOMETRIES) {
            for (double density : DENSITIES) {
                SpikeTensor x = SpikeTensor.fromFloat(randomSpikes(seed++, density, c[0], c[1], c[2], c[3]));
                Tensor w = random(seed++, c[4], c[1] / c[8], c[5], c[5]);
                ConvGeometry g = Conv2d.geometry(x.toFloat(), w, c[6], c[7], c[8]);
                Tensor dy = random(seed++, g.outShape()), dw0 = random(seed++, g.weightShape());
                float[][] ref = run(SpikePath.Mode.DENSE, true, x, w, dy, dw0, g);
                float[][] dense = run(SpikePath.Mode.DENSE, false, x, w, dy, dw0, g);
                float[][] sparse = run(SpikePath.Mode.SPARSE, false, x, w, dy, dw0, g);
                String what = Arrays.toString(c) + " density " + density;
                double atolY = 1e-6 * g.patch(), atolW = 1e-6 * g.n() * g.hOut() * g.wOut();
                assertClose("event-driven forward vs reference " + what, ref[0], sparse[0], atolY, 1e-4);
                assertClose("event-driven forward vs dense " + what, dense[0], sparse[0], 2 * atolY, 1e-4);
                assertClose("event-driven weight gradient vs reference " + what, ref[1], sparse[1], atolW, 1e-4);
                assertClose("event-driven weight gradient vs dense " + what, dense[1], sparse[1], 2 * atolW, 1e-4);
            }
        }
    }

    @Test
    void eventDrivenResultsAreRepeatable() {
        // Per-worker partial sums reduced in worker order: the same call gives the same bits.
        ConvGeometry g = new ConvGeometry(6, 16, 11, 13, 24, 3, 3, 2, 1, 1);
        SpikeTensor x = SpikeTensor.fromFloat(randomSpikes(11, 0.15, g.inShape()));
        Tensor w = random(12, g.weightShape()), dy = random(13, g.outShape()), dw0 = random(14, g.weightShape());
        float[][] first = run(SpikePath.Mode.SPARSE, false, x, w, dy, dw0, g);
        float[][] second = run(SpikePath.Mode.SPARSE, false, x, w, dy, dw0, g);
        assertClose("forward, twice", first[0], second[0], 0, 0);
        assertClose("weight gradient, twice", first[1], second[1], 0, 0);
    }

    @Test
    void allZeroInputGivesZeroOutputAndLeavesTheGradientAlone() {
        ConvGeometry g = new ConvGeometry(2, 8, 7, 9, 16, 3, 3, 1, 1, 1);
        SpikeTensor x = SpikeTensor.zeros(g.inShape());
        Tensor w = random(5, g.weightShape()), dy = random(6, g.outShape()), dw0 = random(7, g.weightShape());
        float[][] sparse = run(SpikePath.Mode.SPARSE, false, x, w, dy, dw0, g);
        for (float v : sparse[0]) assertEquals(0f, v);
        assertClose("weight gradient on no spikes", dw0.data(), sparse[1], 0, 0);
    }

    @Test
    void autoChoosesByDensityAndTheTraceSaysSo() {
        ConvGeometry g = new ConvGeometry(2, 16, 9, 11, 16, 3, 3, 1, 1, 1);
        double crossover = SpikeConv.crossover(g).forward(); // the packaged table's row for this shape, else its kind's
        Tensor w = random(8, g.weightShape());
        SpikePath.force(SpikePath.Mode.AUTO);
        ConvTrace.enable(true);
        Tensor low = Tensor.zeros(g.outShape()), high = Tensor.zeros(g.outShape());
        SpikeTensor sparseInput = SpikeTensor.fromFloat(randomSpikes(9, crossover / 4, g.inShape()));
        SpikeTensor denseInput =
                SpikeTensor.fromFloat(randomSpikes(10, Math.min(1, crossover * 2 + 0.05), g.inShape()));
        Conv2d.forward(low, null, sparseInput.data(), w, g, "low");
        Conv2d.forward(high, null, denseInput.data(), w, g, "high");
        List<ConvTrace.Row> rows = ConvTrace.rows();
        assertEquals(2, rows.size());
        assertEquals("low", rows.get(0).layer());
        assertEquals("sparse", rows.get(0).forwardPath());
        assertEquals("dense", rows.get(1).forwardPath());
        assertEquals("-", rows.get(1).weightPath());
        assertEquals(sparseInput.density(), rows.get(0).density(), 1e-12);
        assertTrue(rows.get(1).density() > crossover);
    }
}
