package scn.ops;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import scn.backend.Parallel;
import scn.backend.Simd;

/**
 * The fast {@link NormPlif}: (image, channel) planes split over threads; inside a plane one SIMD vector
 * of neurons forms its input with the fast batch norm's {@code fma(x, scale, shift)}, adds the residual
 * and carries its membrane potential through all T steps in a register, as {@link PlifFast} does. Each
 * element sees the same float operations as {@link BatchNorm2dSimd#normalize}, the residual sum and
 * {@link PlifFast#forward} in turn, so the spikes are identical to theirs, without the float array of
 * the neuron's input being written and read back.
 */
final class NormPlifFast {
    private static final VectorSpecies<Float> S = Simd.F;
    private static final int L = S.length();

    private NormPlifFast() {}

    static void forward(
            byte[] s,
            float[] x,
            float[] residualF,
            byte[] residualB,
            float[] gamma,
            float[] beta,
            float[] mean,
            float[] invStd,
            int t,
            int b,
            int c,
            int hw,
            float w) {
        float decay = PlifRef.decay(w);
        int m = b * c * hw; // neurons per time step
        Parallel.forEach(b * c, (worker, from, to) -> {
            for (int plane = from; plane < to; plane++) {
                int ch = plane % c;
                float scale = gamma[ch] * invStd[ch], shift = beta[ch] - mean[ch] * scale;
                int j0 = plane * hw, j1 = j0 + hw;
                int j = j0;
                for (; j + L <= j1; j += L) {
                    FloatVector v = FloatVector.zero(S);
                    for (int k = 0; k < t; k++) {
                        int at = k * m + j;
                        FloatVector pre = FloatVector.fromArray(S, x, at).fma(scale, shift);
                        if (residualF != null) pre = pre.add(FloatVector.fromArray(S, residualF, at));
                        if (residualB != null) pre = pre.add(Simd.floatsOf(residualB, at));
                        v = PlifFast.step(pre, v, decay, s, at);
                    }
                }
                for (; j < j1; j++) {
                    float v = 0f;
                    for (int k = 0; k < t; k++) {
                        int at = k * m + j;
                        float pre = x[at] * scale + shift; // BatchNorm2dSimd's scalar tail: no fma
                        if (residualF != null) pre += residualF[at];
                        if (residualB != null) pre += residualB[at];
                        v = PlifFast.step(pre, v, decay, s, at);
                    }
                }
            }
        });
    }
}
