package scn.ops;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import scn.backend.Parallel;
import scn.backend.Simd;

/**
 * SIMD, multithreaded twins of the {@link ElementwiseRef} operators that touch whole activations. Each
 * splits its {@code n} elements into per-thread ranges; same contracts as the references (backward
 * accumulates).
 */
final class ElementwiseSimd {
    private static final VectorSpecies<Float> S = Simd.F;
    private static final int L = S.length();
    /** Below this many elements one thread is faster than two. */
    private static final int PARALLEL_MIN = 1 << 15;

    private ElementwiseSimd() {}

    @FunctionalInterface
    private interface Range {
        void run(int from, int to);
    }

    private static void split(int n, Range body) {
        if (n < PARALLEL_MIN) {
            body.run(0, n);
            return;
        }
        int blocks = Parallel.threads();
        Parallel.forEach(blocks, (worker, from, to) -> {
            for (int b = from; b < to; b++) {
                // Range edges on multiples of L keep every thread but the last on full vectors.
                int lo = (int) ((long) n * b / blocks / L * L),
                        hi = b == blocks - 1 ? n : (int) ((long) n * (b + 1) / blocks / L * L);
                body.run(lo, hi);
            }
        });
    }

    static void add(float[] y, float[] a, float[] b, int n) {
        split(n, (lo, hi) -> {
            int i = lo;
            for (; i + L <= hi; i += L)
                FloatVector.fromArray(S, a, i)
                        .add(FloatVector.fromArray(S, b, i))
                        .intoArray(y, i);
            for (; i < hi; i++) y[i] = a[i] + b[i];
        });
    }

    static void accumulate(float[] dx, float[] dy, int n) {
        add(dx, dx, dy, n);
    }

    static void relu(float[] y, float[] x, int n) {
        split(n, (lo, hi) -> {
            int i = lo;
            for (; i + L <= hi; i += L) FloatVector.fromArray(S, x, i).max(0f).intoArray(y, i);
            for (; i < hi; i++) y[i] = x[i] > 0 ? x[i] : 0f;
        });
    }

    static void reluBackward(float[] dx, float[] dy, float[] x, int n) {
        split(n, (lo, hi) -> {
            int i = lo;
            for (; i + L <= hi; i += L) {
                var positive = FloatVector.fromArray(S, x, i).compare(VectorOperators.GT, 0f);
                FloatVector.fromArray(S, dx, i)
                        .add(FloatVector.fromArray(S, dy, i), positive)
                        .intoArray(dx, i);
            }
            for (; i < hi; i++) if (x[i] > 0) dx[i] += dy[i];
        });
    }

    static void sigmoid(float[] y, float[] x, int n) {
        split(n, (lo, hi) -> {
            int i = lo;
            for (; i + L <= hi; i += L) {
                FloatVector e = FloatVector.fromArray(S, x, i).neg().lanewise(VectorOperators.EXP);
                FloatVector.broadcast(S, 1f).div(e.add(1f)).intoArray(y, i);
            }
            for (; i < hi; i++) y[i] = (float) (1.0 / (1.0 + Math.exp(-x[i])));
        });
    }

    static void sigmoidBackward(float[] dx, float[] dy, float[] y, int n) {
        split(n, (lo, hi) -> {
            int i = lo;
            for (; i + L <= hi; i += L) {
                FloatVector yv = FloatVector.fromArray(S, y, i);
                FloatVector g =
                        FloatVector.fromArray(S, dy, i).mul(yv).mul(yv.neg().add(1f));
                g.add(FloatVector.fromArray(S, dx, i)).intoArray(dx, i);
            }
            for (; i < hi; i++) dx[i] += dy[i] * y[i] * (1f - y[i]);
        });
    }

    static void meanTime(float[] y, float[] x, int t, int m) {
        float inv = 1f / t;
        split(m, (lo, hi) -> {
            int j = lo;
            for (; j + L <= hi; j += L) {
                FloatVector acc = FloatVector.fromArray(S, x, j);
                for (int k = 1; k < t; k++) acc = acc.add(FloatVector.fromArray(S, x, k * m + j));
                acc.mul(inv).intoArray(y, j);
            }
            for (; j < hi; j++) {
                float s = x[j];
                for (int k = 1; k < t; k++) s += x[k * m + j];
                y[j] = s * inv;
            }
        });
    }

    static void meanTimeBackward(float[] dx, float[] dy, int t, int m) {
        float inv = 1f / t;
        split(m, (lo, hi) -> {
            for (int k = 0; k < t; k++) {
                int j = lo;
                for (; j + L <= hi; j += L) {
                    FloatVector.fromArray(S, dy, j)
                            .mul(inv)
                            .add(FloatVector.fromArray(S, dx, k * m + j))
                            .intoArray(dx, k * m + j);
                }
                for (; j < hi; j++) dx[k * m + j] += dy[j] * inv;
            }
        });
    }
}
