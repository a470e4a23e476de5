package scn.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static scn.TestUtil.random;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import scn.backend.Kernels;
import scn.tensor.Tensor;

/**
 * Every differentiable operator's backward against central differences, on tiny shapes, once with the
 * references forced and once on the fast paths.
 *
 * <p>The checked quantity is {@code L = Σ r·f(x)} for a fixed random {@code r}, accumulated in double
 * from the operator's float32 outputs; the difference quotient {@code (L(x+h) − L(x−h)) / 2h} uses
 * {@code h = 1e-2}. Truncation error is O(h²)·f''' ≈ 1e-4 for these smooth functions, and float32
 * round-off in L (about 1e-7 relative over a few hundred terms) adds ≈ 1e-5 after dividing by 2h, so
 * {@code |numeric − analytic| ≤ 2e-3 + 1e-2·|analytic|} leaves a margin of ten without hiding a wrong
 * gradient (a missing factor or term moves it by order one). Inputs of kinked functions (ReLU, abs,
 * clamp, max) are kept more than 5h away from their kinks so no difference straddles one.
 */
class GradientCheckTest {
    private static final double H = 1e-2;
    private static final List<String> CHECKED = new ArrayList<>();

    private record Op(String name, Function<Var[], Var> f, Tensor[] inputs) {}

    /** Values in [-1, 1] pushed at least 0.06 away from each of {@code kinks}. */
    private static Tensor awayFrom(long seed, float[] kinks, int... shape) {
        Tensor t = random(seed, shape);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) {
            for (float k : kinks) if (Math.abs(d[i] - k) < 0.06f) d[i] = k + (d[i] >= k ? 0.06f : -0.06f) + 0.01f * (i % 3);
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

    private static List<Op> ops() {
        List<Op> ops = new ArrayList<>();
        Tensor rm = Tensor.zeros(3), rv = Tensor.full(1f, 3);
        ops.add(new Op("conv2d 3x3 stride 1 pad 1", v -> Functional.conv2d(v[0], v[1], 1, 1, 1), new Tensor[] {random(1, 2, 3, 5, 6), random(2, 4, 3, 3, 3)}));
        ops.add(new Op("conv2d 3x3 stride 2 groups 2 with bias", v -> Functional.conv2d(v[0], v[1], v[2], 2, 1, 2), new Tensor[] {random(3, 2, 4, 7, 5), random(4, 6, 2, 3, 3), random(5, 6)}));
        ops.add(new Op("conv2d depthwise", v -> Functional.conv2d(v[0], v[1], 1, 1, 3), new Tensor[] {random(6, 2, 3, 5, 7), random(7, 3, 1, 3, 3)}));
        ops.add(new Op("conv2d 1x1 on [T, B, C, H, W]", v -> Functional.conv2d(v[0], v[1], 1, 0, 1), new Tensor[] {random(8, 2, 2, 3, 4, 5), random(9, 5, 3, 1, 1)}));
        ops.add(new Op("batch norm training", v -> Functional.batchNorm2d(v[0], v[1], v[2], rm.copy(), rv.copy(), true, 0.1f, 1e-5f),
                new Tensor[] {random(10, 4, 3, 2, 3), random(11, 3), random(12, 3)}));
        ops.add(new Op("batch norm evaluation", v -> Functional.batchNorm2d(v[0], v[1], v[2], random(13, 3), positive(14, 3), false, 0.1f, 1e-5f),
                new Tensor[] {random(15, 2, 3, 2, 3), random(16, 3), random(17, 3)}));
        ops.add(new Op("max pool 3x3 stride 2 pad 1", v -> Functional.maxPool2d(v[0], 3, 2, 1), new Tensor[] {distinct(18, 2, 2, 5, 6)}));
        ops.add(new Op("upsample x2", v -> Functional.upsample2x(v[0]), new Tensor[] {random(19, 2, 2, 3, 4)}));
        ops.add(new Op("concat channels", v -> Functional.concatChannels(v[0], v[1]), new Tensor[] {random(20, 2, 2, 3, 3), random(21, 2, 3, 3, 3)}));
        ops.add(new Op("mean over time", v -> Functional.meanTime(v[0]), new Tensor[] {random(22, 5, 2, 3)}));
        ops.add(new Op("relu", v -> Functional.relu(v[0]), new Tensor[] {awayFrom(23, new float[] {0}, 4, 9)}));
        ops.add(new Op("sigmoid", v -> Functional.sigmoid(v[0]), new Tensor[] {random(24, 4, 9)}));
        ops.add(new Op("add", v -> Functional.add(v[0], v[1]), new Tensor[] {random(25, 3, 5), random(26, 3, 5)}));
        ops.add(new Op("sub", v -> Arithmetic.sub(v[0], v[1]), new Tensor[] {random(27, 3, 5), random(28, 3, 5)}));
        ops.add(new Op("mul", v -> Arithmetic.mul(v[0], v[1]), new Tensor[] {random(29, 3, 5), random(30, 3, 5)}));
        ops.add(new Op("affine", v -> Arithmetic.affine(v[0], -2.5f, 0.75f), new Tensor[] {random(31, 3, 5)}));
        ops.add(new Op("log", v -> Arithmetic.log(v[0]), new Tensor[] {positive(32, 3, 5)}));
        ops.add(new Op("clamp", v -> Arithmetic.clamp(v[0], -0.5f, 0.5f), new Tensor[] {awayFrom(33, new float[] {-0.5f, 0.5f}, 3, 5)}));
        ops.add(new Op("pow 4", v -> Arithmetic.pow(v[0], 4f), new Tensor[] {positive(34, 3, 5)}));
        ops.add(new Op("pow 2 on negatives", v -> Arithmetic.pow(v[0], 2f), new Tensor[] {random(35, 3, 5)}));
        ops.add(new Op("abs", v -> Arithmetic.abs(v[0]), new Tensor[] {awayFrom(36, new float[] {0}, 3, 5)}));
        ops.add(new Op("sum", v -> Arithmetic.sum(v[0]), new Tensor[] {random(37, 3, 5)}));
        ops.add(new Op("mean", v -> Arithmetic.mean(v[0]), new Tensor[] {random(38, 3, 5)}));
        return ops;
    }

    /** {@code Σ r·y} in double. */
    private static double weighted(Tensor y, float[] r) {
        double s = 0;
        for (int i = 0; i < r.length; i++) s += (double) r[i] * y.data()[i];
        return s;
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

    private static void check(Op op) {
        Var[] leaves = new Var[op.inputs().length];
        for (int i = 0; i < leaves.length; i++) leaves[i] = Var.leaf(op.inputs()[i].copy());
        Var y = op.f().apply(leaves);
        float[] r = random(99, y.shape()).data();
        Var loss = Arithmetic.sum(Arithmetic.mul(y, Var.constant(Tensor.wrap(r, y.shape()))));
        Tape.backward(loss);
        for (int i = 0; i < leaves.length; i++) {
            float[] x = leaves[i].value().data();
            float[] analytic = leaves[i].grad().data();
            for (int j = 0; j < x.length; j++) {
                float saved = x[j];
                double plus, minus;
                try (var scope = Tape.noGrad()) {
                    x[j] = (float) (saved + H);
                    plus = weighted(op.f().apply(leaves).value(), r);
                    x[j] = (float) (saved - H);
                    minus = weighted(op.f().apply(leaves).value(), r);
                } finally {
                    x[j] = saved;
                }
                double numeric = (plus - minus) / (2 * H);
                if (!(Math.abs(numeric - analytic[j]) <= 2e-3 + 1e-2 * Math.abs(analytic[j]))) {
                    fail(op.name() + ": d/d input " + i + " element " + j + " is " + analytic[j] + " analytically but " + numeric + " by central differences");
                }
            }
        }
        CHECKED.add(op.name());
    }

    @AfterAll
    static void allOperatorsChecked() {
        assertEquals(2 * ops().size(), CHECKED.size(), "operators checked, both paths");
    }
}
