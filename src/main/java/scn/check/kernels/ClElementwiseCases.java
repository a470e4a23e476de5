package scn.check.kernels;

import java.util.List;
import scn.backend.DeviceBuffer.Type;
import scn.backend.opencl.ClBuffer;
import scn.backend.opencl.ElementwiseCl;
import scn.ops.ElementwiseRef;

/**
 * The elementwise cases of {@link ClChecks}: every {@link ElementwiseCl} entry against
 * {@link ElementwiseRef} on lengths 1 (below a work-group), 257 (one past a multiple of 32) and 4099.
 * Tolerances as explained in {@link ClCheckCases}: exact-rounding operations rtol 1e-6, transcendental
 * ones (exp, log, pow) rtol 1e-5, reductions atol 1e-6 per summed term.
 */
final class ClElementwiseCases {
    private static final int[] SIZES = {1, 257, 4099};
    private static final double EXACT = 1e-6, TRANSCENDENTAL = 1e-5;

    private ClElementwiseCases() {}

    private interface RefUnary {
        void run(float[] y, float[] x, int n);
    }

    private interface ClUnary {
        void run(ClBuffer y, ClBuffer x, int n);
    }

    private interface RefBinary {
        void run(float[] y, float[] a, float[] b, int n);
    }

    private interface ClBinary {
        void run(ClBuffer y, ClBuffer a, ClBuffer b, int n);
    }

    static void all(ClChecks c) {
        binary(c, "add", EXACT, ElementwiseRef::add, ElementwiseCl::add);
        binary(c, "sub", EXACT, ElementwiseRef::sub, ElementwiseCl::sub);
        binary(c, "mul", EXACT, ElementwiseRef::mul, ElementwiseCl::mul);
        unary(
                c,
                "affine",
                EXACT,
                -1,
                1,
                (y, x, n) -> ElementwiseRef.affine(y, x, 0.37f, -1.25f, n),
                (y, x, n) -> ElementwiseCl.affine(y, x, 0.37f, -1.25f, n));
        unary(c, "relu", 0, -1, 1, ElementwiseRef::relu, ElementwiseCl::relu);
        unary(c, "sigmoid", TRANSCENDENTAL, -12, 12, ElementwiseRef::sigmoid, ElementwiseCl::sigmoid);
        unary(c, "log", TRANSCENDENTAL, 1e-4, 3, ElementwiseRef::log, ElementwiseCl::log);
        unary(
                c,
                "clamp",
                0,
                -1,
                1,
                (y, x, n) -> ElementwiseRef.clamp(y, x, -0.5f, 0.25f, n),
                (y, x, n) -> ElementwiseCl.clamp(y, x, -0.5f, 0.25f, n));
        unary(
                c,
                "pow",
                TRANSCENDENTAL,
                0,
                2,
                (y, x, n) -> ElementwiseRef.pow(y, x, 4f, n),
                (y, x, n) -> ElementwiseCl.pow(y, x, 4f, n));
        unary(c, "abs", 0, -1, 1, ElementwiseRef::abs, ElementwiseCl::abs);

        // Backward passes: (dx, dy, saved) with dx starting non-zero, as accumulation is part of the contract.
        gradient(
                c,
                "accumulate",
                EXACT,
                -1,
                1,
                (dx, dy, x, n) -> ElementwiseRef.accumulate(dx, dy, n),
                (dx, dy, x, n) -> ElementwiseCl.accumulate(dx, dy, n));
        gradient(c, "mulBackward", EXACT, -1, 1, ElementwiseRef::mulBackward, ElementwiseCl::mulBackward);
        gradient(
                c,
                "scaleBackward",
                EXACT,
                -1,
                1,
                (dx, dy, x, n) -> ElementwiseRef.scaleBackward(dx, dy, -0.7f, n),
                (dx, dy, x, n) -> ElementwiseCl.scaleBackward(dx, dy, -0.7f, n));
        gradient(c, "reluBackward", EXACT, -1, 1, ElementwiseRef::reluBackward, ElementwiseCl::reluBackward);
        gradient(c, "sigmoidBackward", EXACT, 0, 1, ElementwiseRef::sigmoidBackward, ElementwiseCl::sigmoidBackward);
        gradient(c, "logBackward", EXACT, 0.01, 3, ElementwiseRef::logBackward, ElementwiseCl::logBackward);
        gradient(
                c,
                "clampBackward",
                EXACT,
                -1,
                1,
                (dx, dy, x, n) -> ElementwiseRef.clampBackward(dx, dy, x, -0.5f, 0.25f, n),
                (dx, dy, x, n) -> ElementwiseCl.clampBackward(dx, dy, x, -0.5f, 0.25f, n));
        gradient(
                c,
                "powBackward",
                TRANSCENDENTAL,
                0,
                2,
                (dx, dy, x, n) -> ElementwiseRef.powBackward(dx, dy, x, 2f, n),
                (dx, dy, x, n) -> ElementwiseCl.powBackward(dx, dy, x, 2f, n));
        gradient(c, "absBackward", EXACT, -1, 1, ElementwiseRef::absBackward, ElementwiseCl::absBackward);

        check(c, "addSpikes", 0, EXACT, n -> {
            float[] a = c.uniform(n), y = new float[n];
            byte[] s = c.spikes(n, 0.5);
            ElementwiseRef.add(y, a, ClChecks.toFloat(s), n);
            ClBuffer dy = c.alloc(Type.FLOAT32, n);
            ElementwiseCl.addSpikes(dy, c.up(a), c.up(s), n);
            return new float[][] {y, c.down(dy)};
        });
        check(c, "broadcastAdd", 0, EXACT, n -> {
            float[] dx0 = c.uniform(n), dx = dx0.clone();
            ElementwiseRef.broadcastAdd(dx, 0.3f, n);
            ClBuffer ddx = c.up(dx0);
            ElementwiseCl.broadcastAdd(ddx, 0.3f, n);
            return new float[][] {dx, c.down(ddx)};
        });
        int t = 5;
        check(c, "meanTime", 1e-6 * t, EXACT, m -> {
            float[] x = c.uniform(t * m), y = new float[m];
            ElementwiseRef.meanTime(y, x, t, m);
            ClBuffer dy = c.alloc(Type.FLOAT32, m);
            ElementwiseCl.meanTime(dy, c.up(x), t, m);
            return new float[][] {y, c.down(dy)};
        });
        check(c, "meanTimeBackward", 0, EXACT, m -> {
            float[] dy = c.uniform(m), dx0 = c.uniform(t * m), dx = dx0.clone();
            ElementwiseRef.meanTimeBackward(dx, dy, t, m);
            ClBuffer ddx = c.up(dx0);
            ElementwiseCl.meanTimeBackward(ddx, c.up(dy), t, m);
            return new float[][] {dx, c.down(ddx)};
        });
        int big = 100_003;
        c.check("elementwise sum n=1,257,4099," + big, 1e-6 * big, 0, List.of("ElementwiseCl.sum"), () -> {
            float[][] out = new float[8][];
            int o = 0;
            for (int n : new int[] {1, 257, 4099, big}) {
                float[] x = c.uniform(n);
                ClBuffer s = c.alloc(Type.FLOAT32, 1);
                ElementwiseCl.sum(s, c.up(x), n);
                out[o++] = new float[] {(float) ElementwiseRef.sum(x, n)};
                out[o++] = c.down(s);
            }
            return out;
        });
    }

    private interface Case {
        float[][] run(int n);
    }

    /** One check over all {@link #SIZES} of entry {@code ElementwiseCl.<name>}. */
    private static void check(ClChecks c, String name, double atol, double rtol, Case body) {
        c.check("elementwise " + name + " n=1,257,4099", atol, rtol, List.of("ElementwiseCl." + name), () -> {
            float[][] out = new float[2 * SIZES.length][];
            for (int i = 0; i < SIZES.length; i++) {
                float[][] pair = body.run(SIZES[i]);
                out[2 * i] = pair[0];
                out[2 * i + 1] = pair[1];
            }
            return out;
        });
    }

    private static void unary(ClChecks c, String name, double rtol, double lo, double hi, RefUnary ref, ClUnary cl) {
        check(c, name, 0, rtol, n -> {
            float[] x = c.uniform(n, lo, hi), y = new float[n];
            ref.run(y, x, n);
            ClBuffer dy = c.alloc(Type.FLOAT32, n);
            cl.run(dy, c.up(x), n);
            return new float[][] {y, c.down(dy)};
        });
    }

    private static void binary(ClChecks c, String name, double rtol, RefBinary ref, ClBinary cl) {
        check(c, name, 0, rtol, n -> {
            float[] a = c.uniform(n), b = c.uniform(n), y = new float[n];
            ref.run(y, a, b, n);
            ClBuffer dy = c.alloc(Type.FLOAT32, n);
            cl.run(dy, c.up(a), c.up(b), n);
            return new float[][] {y, c.down(dy)};
        });
    }

    /**
     * {@code dx += f(dy, x)} with {@code x} drawn from {@code [lo, hi)} (a quarter set to exactly 0 where 0 is inside).
     */
    private static void gradient(
            ClChecks c, String name, double rtol, double lo, double hi, RefBinary ref, ClBinary cl) {
        check(c, name, 1e-7, rtol, n -> {
            float[] x = c.uniform(n, lo, hi), dy = c.uniform(n), dx0 = c.uniform(n), dx = dx0.clone();
            if (lo < 0 && hi > 0) for (int i = 0; i < n; i += 4) x[i] = 0f; // the kinks of relu, abs and clamp
            ref.run(dx, dy, x, n);
            ClBuffer ddx = c.up(dx0);
            cl.run(ddx, c.up(dy), c.up(x), n);
            return new float[][] {dx, c.down(ddx)};
        });
    }
}
