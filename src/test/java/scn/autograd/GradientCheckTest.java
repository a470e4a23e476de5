package scn.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static scn.TestUtil.random;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import scn.autograd.DoubleOps.Conv;
import scn.backend.Kernels;
import scn.tensor.Tensor;

/**
 * Every differentiable operator's backward, and the PLIF time loop's, against central differences in
 * double precision on tiny shapes, once with the references forced and once on the fast paths.
 *
 * <p>Each operator has a plain double-precision forward in {@link DoubleOps}, written from SPEC.md's maths
 * and sharing no code with the engine. The checked quantity is {@code L = Σ r·f(x)} for a fixed random
 * {@code r}; the numeric derivative is {@code (L(x+h) − L(x−h)) / 2h} of the double forward, with
 * {@code h = 1e-6}. Its truncation error, O(h²)·f''' ≈ 1e-12, and its round-off, about 2⁻⁵³·|L|/h ≤ 1e-8
 * for |L| ≤ 100, are negligible, so the tolerance reflects the analytic side only: the engine's float32
 * backward, whose values and saved forward results each carry a relative error of a few 2⁻²⁴ ≈ 6e-8, and
 * whose sums of up to 80 products (the weight gradient of the 1×1 convolution) of size ≤ 7 gather round-off
 * of order √80·7·6e-8 ≈ 4e-6 (1.5e-6 is the worst seen). Hence {@code |numeric − analytic| ≤ 1e-5 +
 * 1e-5·|analytic|}, 200 to 1000 times tighter than central differences over float32 allowed; a missing
 * factor or term moves a gradient by order 0.1–1.
 *
 * <p>The double forwards are tied to the engine: each must equal the engine's float32 forward to
 * float32 round-off ({@code |engine − double| ≤ 1e-5 + 1e-5·|double|}), and for the neuron the spikes must
 * be identical.
 *
 * <p>Kinks: inputs of kinked functions (ReLU, abs, clamp, max) are kept more than 0.05 from their kinks, far
 * beyond h. The neuron's spike is a step whose derivative the backward replaces by the ATan surrogate; the
 * double forward of a spiking operator returns the charges {@code h_t} and reads each spike out as the
 * surrogate's primitive of {@code h_t − 1} (the reset still follows the step), whose exact derivative is
 * what the surrogate backward computes as long as no charge crosses the threshold within ±h: the inputs
 * keep every charge at least 0.05 from it, and the test asserts at least 0.025 (after float32 rounding).
 */
class GradientCheckTest {
    private static final double H = 1e-6;
    private static final double ATOL = 1e-5, RTOL = 1e-5;
    private static final double FORWARD_ATOL = 1e-5, FORWARD_RTOL = 1e-5;
    /** No charge comes closer than this to the threshold; checked, with margin, before differentiating. */
    private static final double CHARGE_MARGIN = 0.05;

    private static final float EPS = 1e-5f, MOMENTUM = 0.1f;
    private static final List<String> CHECKED = new ArrayList<>();

    /**
     * An operator under test: the engine's forward over leaves, and its double-precision twin over the same
     * inputs. A spiking operator's twin returns the neuron's charges, whose {@code h ≥ 1} are the spikes.
     */
    private record Op(String name, Function<Var[], Var> engine, Twin twin, boolean spiking, Tensor... inputs) {}

    /** A double-precision forward over the inputs as flat arrays, in the engine's order. */
    private interface Twin extends Function<double[][], double[]> {}

    private static Op op(String name, Function<Var[], Var> engine, Twin twin, Tensor... inputs) {
        return new Op(name, engine, twin, false, inputs);
    }

    private static Op spiking(String name, Function<Var[], Var> engine, Twin charges, Tensor... inputs) {
        return new Op(name, engine, charges, true, inputs);
    }

    /** Values in [-1, 1] pushed at least 0.06 away from each of {@code kinks}. */
    private static Tensor awayFrom(long seed, float[] kinks, int... shape) {
        Tensor t = random(seed, shape);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) {
            for (float k : kinks) {
                if (Math.abs(d[i] - k) < 0.06f) d[i] = k + (d[i] >= k ? 0.06f : -0.06f) + 0.01f * (i % 3);
            }
        }
        return t;
    }

    /** Distinct values spaced 0.1 apart, shuffled: no max-pool window has a near tie. */
    private static Tensor distinct(long seed, int... shape) {
        Tensor t = Tensor.zeros(shape);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) d[i] = 0.1f * i - 0.05f * d.length;
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = d.length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            float tmp = d[i];
            d[i] = d[j];
            d[j] = tmp;
        }
        return t;
    }

    private static Tensor positive(long seed, int... shape) {
        Tensor t = random(seed, shape);
        for (int i = 0; i < t.size(); i++) t.data()[i] = 0.5f + 0.5f * Math.abs(t.data()[i]);
        return t;
    }

    /** {@code scale·u + shift} for {@code u} uniform in [-1, 1). */
    private static Tensor uniform(long seed, float scale, float shift, int... shape) {
        Tensor t = random(seed, shape);
        for (int i = 0; i < t.size(); i++) t.data()[i] = scale * t.data()[i] + shift;
        return t;
    }

    private static double[] doubles(Tensor t) {
        double[] d = new double[t.size()];
        for (int i = 0; i < d.length; i++) d[i] = t.data()[i];
        return d;
    }

    /**
     * Shifts {@code x}, step by step, so that no charge of the neuron over {@code base + x [T, M]} lies
     * within {@link #CHARGE_MARGIN} of the threshold: a charge that close moves 0.1 further away.
     */
    private static void keepChargesFromThreshold(float[] x, double[] base, int t, int m, float w) {
        double decay = DoubleOps.sigmoid(w);
        for (int j = 0; j < m; j++) {
            double v = 0;
            for (int k = 0; k < t; k++) {
                int at = k * m + j;
                double h = v + (base[at] + x[at] - v) * decay;
                if (Math.abs(h - 1) < CHARGE_MARGIN) {
                    x[at] = (float) (x[at] + (h >= 1 ? 0.1 : -0.1) / decay);
                    h = v + (base[at] + x[at] - v) * decay;
                }
                v = h >= 1 ? 0 : h;
            }
        }
    }

    private static List<Op> ops() {
        List<Op> ops = new ArrayList<>();
        ops.addAll(convolutions());
        ops.addAll(layers());
        ops.addAll(elementwise());
        ops.add(plifTimeLoop());
        ops.add(batchNormPlif());
        return ops;
    }

    private static List<Op> convolutions() {
        Conv c1 = new Conv(2, 3, 5, 6, 4, 3, 1, 1, 1), c2 = new Conv(2, 4, 7, 5, 6, 3, 2, 1, 2);
        Conv c3 = new Conv(2, 3, 5, 7, 3, 3, 1, 1, 3), c4 = new Conv(2 * 2, 3, 4, 5, 5, 1, 1, 0, 1);
        return List.of(
                op(
                        "conv2d 3x3 stride 1 pad 1",
                        v -> Functional.conv2d(v[0], v[1], 1, 1, 1),
                        x -> DoubleOps.conv2d(x[0], x[1], null, c1),
                        random(1, 2, 3, 5, 6),
                        random(2, 4, 3, 3, 3)),
                op(
                        "conv2d 3x3 stride 2 groups 2 with bias",
                        v -> Functional.conv2d(v[0], v[1], v[2], 2, 1, 2),
                        x -> DoubleOps.conv2d(x[0], x[1], x[2], c2),
                        random(3, 2, 4, 7, 5),
                        random(4, 6, 2, 3, 3),
                        random(5, 6)),
                op(
                        "conv2d depthwise",
                        v -> Functional.conv2d(v[0], v[1], 1, 1, 3),
                        x -> DoubleOps.conv2d(x[0], x[1], null, c3),
                        random(6, 2, 3, 5, 7),
                        random(7, 3, 1, 3, 3)),
                op(
                        "conv2d 1x1 on [T, B, C, H, W]",
                        v -> Functional.conv2d(v[0], v[1], 1, 0, 1),
                        x -> DoubleOps.conv2d(x[0], x[1], null, c4),
                        random(8, 2, 2, 3, 4, 5),
                        random(9, 5, 3, 1, 1)));
    }

    /** Batch norm in both modes, and the operators that move values around. */
    private static List<Op> layers() {
        Tensor rm = Tensor.zeros(3), rv = Tensor.full(1f, 3); // moved by each training forward: copies
        Tensor em = random(13, 3), ev = positive(14, 3);
        return List.of(
                op(
                        "batch norm training",
                        v -> Functional.batchNorm2d(
                                v[0],
                                v[1],
                                v[2],
                                Var.constant(rm.copy()),
                                Var.constant(rv.copy()),
                                true,
                                MOMENTUM,
                                EPS),
                        x -> DoubleOps.batchNormTrain(x[0], x[1], x[2], 4, 3, 6, EPS),
                        random(10, 4, 3, 2, 3),
                        random(11, 3),
                        random(12, 3)),
                op(
                        "batch norm evaluation",
                        v -> Functional.batchNorm2d(
                                v[0], v[1], v[2], Var.constant(em), Var.constant(ev), false, MOMENTUM, EPS),
                        x -> DoubleOps.batchNormEval(x[0], x[1], x[2], doubles(em), doubles(ev), 2, 3, 6, EPS),
                        random(15, 2, 3, 2, 3),
                        random(16, 3),
                        random(17, 3)),
                op(
                        "max pool 3x3 stride 2 pad 1",
                        v -> Functional.maxPool2d(v[0], 3, 2, 1),
                        x -> DoubleOps.maxPool(x[0], 4, 5, 6, 3, 2, 1),
                        distinct(18, 2, 2, 5, 6)),
                op(
                        "upsample x2",
                        v -> Functional.upsample2x(v[0]),
                        x -> DoubleOps.upsample2x(x[0], 4, 3, 4),
                        random(19, 2, 2, 3, 4)),
                op(
                        "concat channels",
                        v -> Functional.concatChannels(v[0], v[1]),
                        x -> DoubleOps.concat(x[0], x[1], 2, 18, 27),
                        random(20, 2, 2, 3, 3),
                        random(21, 2, 3, 3, 3)),
                op(
                        "mean over time",
                        v -> Functional.meanTime(v[0]),
                        x -> DoubleOps.meanTime(x[0], 5, 6),
                        random(22, 5, 2, 3)));
    }

    /** The activations and the elementwise maths and reductions the losses are written in. */
    private static List<Op> elementwise() {
        return List.of(
                op(
                        "relu",
                        v -> Functional.relu(v[0]),
                        x -> DoubleOps.map(x[0], a -> Math.max(a, 0)),
                        awayFrom(23, new float[] {0}, 4, 9)),
                op(
                        "sigmoid",
                        v -> Functional.sigmoid(v[0]),
                        x -> DoubleOps.map(x[0], DoubleOps::sigmoid),
                        random(24, 4, 9)),
                op(
                        "add",
                        v -> Functional.add(v[0], v[1]),
                        x -> DoubleOps.map(x[0], x[1], Double::sum),
                        random(25, 3, 5),
                        random(26, 3, 5)),
                op(
                        "sub",
                        v -> Arithmetic.sub(v[0], v[1]),
                        x -> DoubleOps.map(x[0], x[1], (a, b) -> a - b),
                        random(27, 3, 5),
                        random(28, 3, 5)),
                op(
                        "mul",
                        v -> Arithmetic.mul(v[0], v[1]),
                        x -> DoubleOps.map(x[0], x[1], (a, b) -> a * b),
                        random(29, 3, 5),
                        random(30, 3, 5)),
                op(
                        "affine",
                        v -> Arithmetic.affine(v[0], -2.5f, 0.75f),
                        x -> DoubleOps.map(x[0], a -> -2.5 * a + 0.75),
                        random(31, 3, 5)),
                op("log", v -> Arithmetic.log(v[0]), x -> DoubleOps.map(x[0], Math::log), positive(32, 3, 5)),
                op(
                        "clamp",
                        v -> Arithmetic.clamp(v[0], -0.5f, 0.5f),
                        x -> DoubleOps.map(x[0], a -> Math.min(0.5, Math.max(-0.5, a))),
                        awayFrom(33, new float[] {-0.5f, 0.5f}, 3, 5)),
                op(
                        "pow 4",
                        v -> Arithmetic.pow(v[0], 4f),
                        x -> DoubleOps.map(x[0], a -> a * a * a * a),
                        positive(34, 3, 5)),
                op(
                        "pow 2 on negatives",
                        v -> Arithmetic.pow(v[0], 2f),
                        x -> DoubleOps.map(x[0], a -> a * a),
                        random(35, 3, 5)),
                op(
                        "abs",
                        v -> Arithmetic.abs(v[0]),
                        x -> DoubleOps.map(x[0], Math::abs),
                        awayFrom(36, new float[] {0}, 3, 5)),
                op("sum", v -> Arithmetic.sum(v[0]), x -> DoubleOps.sum(x[0]), random(37, 3, 5)),
                op("mean", v -> Arithmetic.mean(v[0]), x -> DoubleOps.mean(x[0]), random(38, 3, 5)));
    }

    /** The neuron over {@code x [T=5, M=12]} with {@code w = 0.7}: inputs spread over the threshold so many fire. */
    private static Op plifTimeLoop() {
        int t = 5, m = 12;
        float w = 0.7f;
        Tensor x = uniform(40, 2.4f, 0.9f, t, m);
        keepChargesFromThreshold(x.data(), new double[t * m], t, m, w);
        return spiking(
                "plif time loop",
                v -> Functional.plif(v[0], v[1]),
                in -> DoubleOps.plifCharges(in[0], t, m, in[1][0]),
                x,
                Tensor.scalar(w));
    }

    /**
     * The fused {@code plif(bn(x) + residual)} in training mode, {@code [T=3, B=2, C=3, H=2, W=3]}: its
     * backward forms the neuron's input again from x and the batch statistics.
     */
    private static Op batchNormPlif() {
        int t = 3, b = 2, c = 3, hw = 6, m = b * c * hw;
        float w = -0.4f;
        Tensor x = random(41, t, b, c, 2, 3), gamma = uniform(42, 0.5f, 2f, c), beta = uniform(43, 0.2f, 0.6f, c);
        Tensor residual = random(44, t, b, c, 2, 3);
        double[] normalised = DoubleOps.batchNormTrain(doubles(x), doubles(gamma), doubles(beta), t * b, c, hw, EPS);
        keepChargesFromThreshold(residual.data(), normalised, t, m, w);
        Tensor rm = Tensor.zeros(c), rv = Tensor.full(1f, c);
        return spiking(
                "batch norm + residual + plif, fused",
                v -> Functional.batchNormPlif(
                        v[0],
                        v[1],
                        v[2],
                        Var.constant(rm.copy()),
                        Var.constant(rv.copy()),
                        true,
                        MOMENTUM,
                        EPS,
                        v[3],
                        v[4]),
                in -> {
                    double[] pre = DoubleOps.batchNormTrain(in[0], in[1], in[2], t * b, c, hw, EPS);
                    for (int i = 0; i < pre.length; i++) pre[i] += in[3][i];
                    return DoubleOps.plifCharges(pre, t, m, in[4][0]);
                },
                x,
                gamma,
                beta,
                residual,
                Tensor.scalar(w));
    }

    @ParameterizedTest(name = "reference={0}")
    @ValueSource(booleans = {true, false})
    void everyOperatorMatchesCentralDifferences(boolean reference) {
        boolean before = Kernels.reference();
        Kernels.forceReference(reference);
        try {
            for (Op op : ops()) check(op);
        } finally {
            Kernels.forceReference(before);
            Tape.clear();
        }
    }

    /** {@code Σ r·f(x)} of the double forward; a spiking operator's spikes read out as the surrogate's primitive. */
    private static double weighted(Op op, double[][] x, float[] r) {
        double[] y = op.twin().apply(x);
        double s = 0;
        for (int i = 0; i < r.length; i++) s += r[i] * (op.spiking() ? DoubleOps.surrogatePrimitive(y[i] - 1) : y[i]);
        return s;
    }

    private static void check(Op op) {
        Var[] leaves = new Var[op.inputs().length];
        double[][] x = new double[leaves.length][];
        for (int i = 0; i < leaves.length; i++) {
            leaves[i] = Var.leaf(op.inputs()[i].copy());
            x[i] = doubles(op.inputs()[i]);
        }
        Var y = op.engine().apply(leaves);
        float[] engine = y.value().data().clone();
        checkForward(op, engine, op.twin().apply(x));
        float[] r = random(99, y.shape()).data();
        Tape.backward(Arithmetic.sum(Arithmetic.mul(y, Var.constant(Tensor.wrap(r, y.shape())))));
        for (int i = 0; i < leaves.length; i++) {
            float[] analytic = leaves[i].grad().data();
            for (int j = 0; j < x[i].length; j++) {
                double saved = x[i][j];
                x[i][j] = saved + H;
                double plus = weighted(op, x, r);
                x[i][j] = saved - H;
                double minus = weighted(op, x, r);
                x[i][j] = saved;
                double numeric = (plus - minus) / (2 * H);
                if (!(Math.abs(numeric - analytic[j]) <= ATOL + RTOL * Math.abs(analytic[j]))) {
                    fail(op.name() + ": d/d input " + i + " element " + j + " is " + analytic[j] + " analytically but "
                            + numeric + " by central differences in double");
                }
            }
        }
        CHECKED.add(op.name());
    }

    /** The engine's float32 forward against the double one; for a spiking operator, identical spikes. */
    private static void checkForward(Op op, float[] engine, double[] twin) {
        if (op.spiking()) {
            int fired = 0;
            for (int i = 0; i < twin.length; i++) {
                assertTrue(
                        Math.abs(twin[i] - 1) >= CHARGE_MARGIN / 2,
                        op.name() + ": charge " + i + " is " + twin[i] + ", too near the threshold");
                if (engine[i] != (twin[i] >= 1 ? 1f : 0f)) {
                    fail(op.name() + ": spike " + i + " is " + engine[i] + " but the charge in double is " + twin[i]);
                }
                fired += (int) engine[i];
            }
            assertTrue(
                    fired > twin.length / 10 && fired < twin.length * 9 / 10,
                    op.name() + ": " + fired + " of " + twin.length + " fired; the check wants many of both");
            return;
        }
        assertEquals(twin.length, engine.length, op.name() + ": output size");
        for (int i = 0; i < twin.length; i++) {
            if (!(Math.abs(engine[i] - twin[i]) <= FORWARD_ATOL + FORWARD_RTOL * Math.abs(twin[i]))) {
                fail(op.name() + ": output " + i + " is " + engine[i] + " but " + twin[i] + " in double");
            }
        }
    }

    @AfterAll
    static void allOperatorsChecked() {
        assertEquals(2 * ops().size(), CHECKED.size(), "operators checked, both paths");
    }
}
