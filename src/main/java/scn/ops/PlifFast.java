package scn.ops;

import scn.backend.Parallel;
import scn.backend.Scratch;

/**
 * The fast multi-step PLIF: neurons split over threads in blocks; inside a block the time loop is
 * outermost and the neuron loop innermost, so every step streams contiguous memory and the JIT
 * vectorises the inner loops. Same contract and results as {@link PlifRef} (the same float
 * operations in the same order per neuron; only {@code ∂L/∂w}'s summation order differs).
 */
final class PlifFast {
    /** Neurons per block: state arrays of this size stay in L1. */
    private static final int BLOCK = 1024;

    private PlifFast() {}

    static void forward(byte[] s, float[] x, int t, int m, float w) {
        float decay = PlifRef.decay(w);
        int blocks = Gemm.ceilDiv(m, BLOCK);
        Parallel.forEach(blocks, (worker, from, to) -> {
            float[] v = Scratch.floats(0, BLOCK);
            for (int b = from; b < to; b++) {
                int j0 = b * BLOCK, n = Math.min(BLOCK, m - j0);
                java.util.Arrays.fill(v, 0, n, 0f);
                for (int k = 0; k < t; k++) {
                    int at = k * m + j0;
                    for (int j = 0; j < n; j++) {
                        float h = v[j] + (x[at + j] - v[j]) * decay;
                        boolean fire = h - PlifRef.THRESHOLD >= 0;
                        s[at + j] = (byte) (fire ? 1 : 0);
                        v[j] = fire ? 0f : h;
                    }
                }
            }
        });
    }

    static double backward(float[] dx, float[] gs, float[] x, int t, int m, float w) {
        float decay = PlifRef.decay(w);
        int blocks = Gemm.ceilDiv(m, BLOCK);
        double[] partial = new double[Parallel.threads()];
        Parallel.forEach(blocks, (worker, from, to) -> {
            float[] h = Scratch.floats(0, t * BLOCK); // [T, BLOCK]
            float[] vPrev = Scratch.floats(1, t * BLOCK); // [T, BLOCK]
            float[] gv = Scratch.floats(2, BLOCK);
            double gDecay = 0;
            for (int b = from; b < to; b++) {
                int j0 = b * BLOCK, n = Math.min(BLOCK, m - j0);
                for (int j = 0; j < n; j++) vPrev[j] = 0f;
                for (int k = 0; k < t; k++) {
                    int at = k * m + j0, row = k * BLOCK;
                    for (int j = 0; j < n; j++) {
                        float hk = vPrev[row + j] + (x[at + j] - vPrev[row + j]) * decay;
                        h[row + j] = hk;
                        if (k + 1 < t) vPrev[row + BLOCK + j] = hk - PlifRef.THRESHOLD >= 0 ? 0f : hk;
                    }
                }
                java.util.Arrays.fill(gv, 0, n, 0f);
                for (int k = t - 1; k >= 0; k--) {
                    int at = k * m + j0, row = k * BLOCK;
                    for (int j = 0; j < n; j++) {
                        float hk = h[row + j];
                        float spike = hk - PlifRef.THRESHOLD >= 0 ? 1f : 0f;
                        float gh = gs[at + j] * PlifRef.surrogate(hk - PlifRef.THRESHOLD) + gv[j] * (1f - spike);
                        dx[at + j] += gh * decay;
                        gv[j] = gh * (1f - decay);
                        gDecay += (double) gh * (x[at + j] - vPrev[row + j]);
                    }
                }
            }
            partial[worker] += gDecay;
        });
        double gDecay = 0;
        for (double p : partial) gDecay += p;
        return gDecay * decay * (1 - decay);
    }
}
