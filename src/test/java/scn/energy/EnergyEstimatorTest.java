package scn.energy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import scn.autograd.Functional;
import scn.autograd.Tape;
import scn.autograd.Var;
import scn.nn.ModelConfig;
import scn.nn.Probe;
import scn.nn.SpikingCenterNet;
import scn.tensor.SpikeTensor;
import scn.tensor.Tensor;

/** The SPEC section 8 counts: hand-worked cases, the conv-with-ones identity, and a whole network. */
class EnergyEstimatorTest {
    private static SpikeTensor randomSpikes(SplittableRandom r, double density, int... shape) {
        int n = 1;
        for (int d : shape) n *= d;
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) (r.nextDouble() < density ? 1 : 0);
        return SpikeTensor.wrap(b, shape);
    }

    @Test
    void reachCountsOutputWindowsCoveringEachInput() {
        // 3x3, stride 1, pad 1 on 4 pixels: the edges are covered by 2 windows, the inside by 3
        assertArrayEquals(new long[] {2, 3, 3, 2}, EnergyEstimator.reach(4, 4, 3, 1, 1));
        // 3x3, stride 2, pad 1, 5 -> 3 outputs: windows cover [-1,1], [1,3], [3,5)
        assertArrayEquals(new long[] {1, 2, 1, 2, 1}, EnergyEstimator.reach(5, 3, 3, 2, 1));
        // 1x1 stride 2 reaches only even positions
        assertArrayEquals(new long[] {1, 0, 1, 0}, EnergyEstimator.reach(4, 2, 1, 2, 0));
    }

    @Test
    void handWorkedLayer() {
        EnergyEstimator e = new EnergyEstimator();
        byte[] b = new byte[16]; // [1, 1, 4, 4]: one spike in the corner, one inside
        b[0] = 1;
        b[5] = 1;
        Var x = Var.constant(SpikeTensor.wrap(b, 1, 1, 4, 4));
        e.conv("c", x, 3, 3, 1, 1, 1, 4, 4); // 3 output channels
        e.add("r", 10);
        EnergyEstimator.Report r = e.report(1, 1);
        // corner: 2*2 windows, inside: 3*3 windows; times 3 output channels
        assertEquals(3 * (4 + 9), r.layers().get(0).acs());
        assertEquals(0, r.layers().get(0).macs());
        assertEquals(2.0 / 16, r.layers().get(0).inputFiringRate());
        assertEquals(10, r.layers().get(1).acs());
        assertEquals(0.9 * (39 + 10), r.energyPj(), 1e-9);
        assertEquals(3 * 16 * 9, r.teacherMacs());
    }

    @Test
    void countsOfPartsAddUpToTheCountsOfTheWhole() {
        SplittableRandom rnd = new SplittableRandom(3);
        Var x1 = Var.constant(randomSpikes(rnd, 0.3, 1, 2, 5, 7)),
                x2 = Var.constant(randomSpikes(rnd, 0.3, 1, 2, 5, 7));
        Tensor f = Tensor.zeros(1, 2, 5, 7);
        f.data()[3] = 0.5f;
        EnergyEstimator whole = new EnergyEstimator(), first = new EnergyEstimator(), second = new EnergyEstimator();
        for (EnergyEstimator e : new EnergyEstimator[] {whole, first}) {
            e.conv("c", x1, 3, 3, 1, 1, 1, 5, 7);
            e.add("r", 4);
        }
        for (EnergyEstimator e : new EnergyEstimator[] {whole, second}) {
            e.conv("c", x2, 3, 3, 1, 1, 1, 5, 7);
            e.conv("d", Var.constant(f), 3, 3, 1, 1, 1, 5, 7); // not binary: dense MACs, in the second part only
        }
        EnergyEstimator.Counts sum = first.counts(1).plus(second.counts(1));
        assertEquals(
                List.of("c", "r", "d"),
                sum.layers().stream().map(EnergyEstimator.LayerCount::name).toList());
        EnergyEstimator.Counts w = whole.counts(2);
        assertEquals(new HashSet<>(w.layers()), new HashSet<>(sum.layers()));
        assertEquals(2, sum.samples());
        assertTrue(sum.layers().get(0).binary() && !sum.layers().get(2).binary());
        assertEquals(
                EnergyEstimator.report(w, 5).energyPj(),
                EnergyEstimator.report(sum, 5).energyPj());
    }

    @Test
    void measureTakesWholeBatches() {
        assertEquals(8, EnergyEstimator.samplesMeasured(7, 4, 20));
        assertEquals(8, EnergyEstimator.samplesMeasured(8, 4, 20));
        assertEquals(6, EnergyEstimator.samplesMeasured(7, 4, 6), "no more than the split holds");
        assertEquals(20, EnergyEstimator.samplesMeasured(0, 3, 20), "0: all");
    }

    @Test
    void nonBinaryInputCountsDenseMacs() {
        EnergyEstimator e = new EnergyEstimator();
        Tensor t = Tensor.zeros(1, 2, 3, 3);
        t.data()[4] = 0.5f;
        e.conv("c", Var.constant(t), 4, 3, 1, 1, 2, 3, 3); // depthwise-like: 2 groups
        EnergyEstimator.Report r = e.report(1, 1);
        assertEquals(0, r.acs());
        assertEquals(4 * 9 * 1 * 9, r.macs()); // outputs x (cin/groups) x k²
        assertEquals(4.6 * r.macs(), r.energyPj(), 1e-9);
    }

    @Test
    void accumulatesEqualTheSumOfAConvolutionWithOnes() {
        SplittableRandom rnd = new SplittableRandom(5);
        int[][] cases = {{7, 2, 3}, {3, 1, 1}, {3, 2, 1}, {1, 2, 0}}; // kernel, stride, pad
        for (int[] c : cases) {
            int k = c[0], s = c[1], p = c[2], cin = 3, cout = 5;
            SpikeTensor in = randomSpikes(rnd, 0.2, 2, cin, 11, 9);
            Var ones = Var.constant(Tensor.full(1f, cout, cin, k, k));
            Var y = Functional.conv2d(Var.constant(in), ones, s, p, 1);
            double sum = 0;
            for (float v : y.value().data()) sum += v;
            EnergyEstimator e = new EnergyEstimator();
            e.conv("c", Var.constant(in), cout, k, s, p, 1, y.shape()[2], y.shape()[3]);
            assertEquals(sum, e.report(1, 1).acs(), 1e-6, "kernel " + k + " stride " + s + " pad " + p);
        }
    }

    @Test
    void wholeNetworkIsAllAccumulatesAndTheTeacherAllMacsButTheStem() {
        ModelConfig cfg = new ModelConfig(0.0625, 1.5, 5, 2, false);
        SpikeTensor input = randomSpikes(new SplittableRandom(1), 0.05, 5, 1, 4, 256, 320);
        EnergyEstimator snn = new EnergyEstimator();
        try (var g = Tape.noGrad()) {
            Probe.watch(snn, () -> new SpikingCenterNet(cfg, 1).forward(Var.constant(input), false));
        }
        EnergyEstimator.Report r = snn.report(1, 5);
        // 1 stem + 16 block convs + 3 downsamples + 9 decoder + 6 head convs, and 8 residual additions
        assertEquals(35 + 8, r.layers().size());
        assertEquals(0, r.macs());
        assertTrue(r.acs() > 0 && r.teacherEnergyPj() > r.energyPj());

        EnergyEstimator relu = new EnergyEstimator();
        try (var g = Tape.noGrad()) {
            Probe.watch(relu, () -> new SpikingCenterNet(cfg.asTeacher(true), 1).forward(Var.constant(input), false));
        }
        EnergyEstimator.Report t = relu.report(1, 5);
        assertTrue(t.layers().get(0).binaryInput() && t.layers().get(0).macs() == 0, "the stem sees binary events");
        assertTrue(t.macs() > 0);
        assertEquals(r.teacherMacs(), t.teacherMacs(), 1e-6 * r.teacherMacs(), "same layers, same dense count");
    }
}
