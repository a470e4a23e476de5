package scn.ops;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import scn.backend.Parallel;
import scn.backend.Scratch;
import scn.backend.Simd;

/**
 * The fast multi-step PLIF: neurons split over threads in blocks, and inside a block one SIMD vector of
 * neurons carries its membrane potential through all T steps in a register. The arithmetic per neuron
 * is the reference's, operation for operation, so spikes and {@code ∂L/∂x} are identical to
 * {@link PlifRef}'s; only {@code ∂L/∂w}'s summation order differs.
 */
final class PlifFast {
    private static final VectorSpecies<Float> S = Simd.F;
    private static final int L = S.length();
    private static final float SLOPE = (float) (Math.PI / 2) * PlifRef.ALPHA;
    /** Neurons per parallel task. */
    private static final int BLOCK = 4096;

    private PlifFast() {}

    static void forward(byte[] s, float[] x, int t, int m, float w) {
        float decay = PlifRef.decay(w);
        Parallel.forEach(Gemm.ceilDiv(m, BLOCK), (worker, from, to) -> {
            int j0 = from * BLOCK, j1 = Math.min(m, to * BLOCK);
            int j = j0;
            for (; j + L <= j1; j += L) {
                FloatVector v = FloatVector.zero(S);
                for (int k = 0; k < t; k++) {
                    int at = k * m + j;
                    v = step(FloatVector.fromArray(S, x, at), v, decay, s, at);
                }
            }
            for (; j < j1; j++) {
                float v = 0f;
                for (int k = 0; k < t; k++) {
                    int at = k * m + j;
                    v = step(x[at], v, decay, s, at);
                }
            }
        });
    }

    /**
     * One time step of SPEC section 2 for {@link #L} neurons: charge {@code v} with the input {@code pre},
     * write the spikes to {@code s[at]} on, return the state after the hard reset. {@link NormPlifFast}
     * runs the same step on its fused input.
     */
    static FloatVector step(FloatVector pre, FloatVector v, float decay, byte[] s, int at) {
        FloatVector h = pre.sub(v).mul(decay).add(v);
        VectorMask<Float> fire = h.sub(PlifRef.THRESHOLD).compare(VectorOperators.GE, 0f);
        Simd.storeSpikes(fire, s, at);
        return h.blend(0f, fire);
    }

    /** {@link #step(FloatVector, FloatVector, float, byte[], int)} for one neuron (the row tails). */
    static float step(float pre, float v, float decay, byte[] s, int at) {
        float h = v + (pre - v) * decay;
        boolean fire = h - PlifRef.THRESHOLD >= 0;
        s[at] = (byte) (fire ? 1 : 0);
        return fire ? 0f : h;
    }

    /**
     * One step back in time for {@link #L} neurons: {@code ∂L/∂h} from the potential {@code h}, the spike gradient
     * {@code ds} and {@code dv = ∂L/∂v} passed back from the next step, which reaches {@code h} only where the neuron
     * did not fire (the hard reset). {@link NormPlifFast} runs the same step.
     */
    static FloatVector backStep(FloatVector h, FloatVector ds, FloatVector dv) {
        FloatVector u = h.sub(PlifRef.THRESHOLD);
        VectorMask<Float> fire = u.compare(VectorOperators.GE, 0f);
        FloatVector z = u.mul(SLOPE);
        FloatVector sg =
                FloatVector.broadcast(S, PlifRef.ALPHA / 2).div(z.mul(z).add(1f));
        return ds.mul(sg).add(dv.blend(0f, fire));
    }

    /** {@link #backStep(FloatVector, FloatVector, FloatVector)} for one neuron (the row tails). */
    static float backStep(float h, float ds, float dv) {
        float spike = h - PlifRef.THRESHOLD >= 0 ? 1f : 0f;
        return ds * PlifRef.surrogate(h - PlifRef.THRESHOLD) + dv * (1f - spike);
    }

    /** {@code dx += ∂L/∂x}, as {@link PlifRef#backward}; returns {@code ∂L/∂w}. */
    static double backward(float[] dx, float[] ds, float[] x, int t, int m, float w) {
        float decay = PlifRef.decay(w);
        double[] partial = new double[Parallel.threads()];
        Parallel.forEach(Gemm.ceilDiv(m, BLOCK), (worker, from, to) -> {
            float[] h = Scratch.floats(0, t * L); // [T, L] potentials of one vector of neurons
            float[] vPrev = Scratch.floats(1, t * L); // [T, L] states before each step
            int j0 = from * BLOCK, j1 = Math.min(m, to * BLOCK);
            FloatVector dDecayV = FloatVector.zero(S);
            int j = j0;
            for (; j + L <= j1; j += L) {
                FloatVector v = FloatVector.zero(S);
                for (int k = 0; k < t; k++) {
                    v.intoArray(vPrev, k * L);
                    FloatVector hk = FloatVector.fromArray(S, x, k * m + j)
                            .sub(v)
                            .mul(decay)
                            .add(v);
                    hk.intoArray(h, k * L);
                    v = hk.blend(0f, hk.sub(PlifRef.THRESHOLD).compare(VectorOperators.GE, 0f));
                }
                FloatVector dv = FloatVector.zero(S);
                for (int k = t - 1; k >= 0; k--) {
                    int at = k * m + j;
                    FloatVector xa = FloatVector.fromArray(S, x, at);
                    FloatVector dh = backStep(FloatVector.fromArray(S, h, k * L), FloatVector.fromArray(S, ds, at), dv);
                    dh.mul(decay).add(FloatVector.fromArray(S, dx, at)).intoArray(dx, at);
                    dv = dh.mul(1f - decay);
                    dDecayV = dh.fma(xa.sub(FloatVector.fromArray(S, vPrev, k * L)), dDecayV);
                }
            }
            double dDecay = Simd.sum(dDecayV);
            for (; j < j1; j++) {
                float v = 0f;
                for (int k = 0; k < t; k++) {
                    vPrev[k] = v;
                    h[k] = v + (x[k * m + j] - v) * decay;
                    v = h[k] - PlifRef.THRESHOLD >= 0 ? 0f : h[k];
                }
                float dv = 0f;
                for (int k = t - 1; k >= 0; k--) {
                    int at = k * m + j;
                    float xa = x[at];
                    float dh = backStep(h[k], ds[at], dv);
                    dx[at] = dx[at] + dh * decay;
                    dv = dh * (1f - decay);
                    dDecay += (double) dh * (xa - vPrev[k]);
                }
            }
            partial[worker] += dDecay;
        });
        double dDecay = 0;
        for (double p : partial) dDecay += p;
        return dDecay * decay * (1 - decay);
    }
}
