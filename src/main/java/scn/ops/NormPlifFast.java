package scn.ops;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import scn.backend.Parallel;
import scn.backend.Scratch;
import scn.backend.Simd;

/**
 * The fast {@link NormPlif}: (image, channel) planes split over threads; inside a plane one SIMD vector
 * of neurons forms its input with the fast batch norm's {@code fma(x, scale, shift)}, adds the residual
 * and carries its membrane potential through all T steps in a register, as {@link PlifFast} does. Each
 * element sees the same float operations as {@link BatchNorm2dSimd#normalize}, the residual sum and
 * {@link PlifFast#forward} in turn, so the spikes are identical to theirs, without the float array of
 * the neuron's input being written and read back.
 *
 * <p>The backward forms the input again the same way and runs {@link PlifFast#backStep} on it, so
 * {@code ∂L/∂(neuron input)} is bit for bit what the normalisation, the residual sum and the PLIF's backward in
 * place give one after the other; the batch norm's sums and {@code ∂L/∂w} are added up along the way, in float
 * vectors flushed into doubles every {@link #FLUSH} vectors (as often as the batch norm's own sums are), per
 * (image, channel) plane, and the planes' sums in a fixed order, so no figure depends on the thread count.
 */
final class NormPlifFast {
    private static final VectorSpecies<Float> S = Simd.F;
    private static final int L = S.length();
    /** Vectors of neurons whose float sums are moved into the double ones at once. */
    private static final int FLUSH = 64;

    private NormPlifFast() {}

    static void forward(byte[] s, NormPlif.Input in) {
        float[] x = in.x(),
                residualF = in.residualF(),
                gamma = in.gamma(),
                beta = in.beta(),
                mean = in.mean(),
                invStd = in.invStd();
        byte[] residualB = in.residualB();
        int t = in.t(), b = in.b(), c = in.c(), hw = in.hw();
        float w = in.w();
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

    static double backward(float[] dPre, float[] ds, NormPlif.Input in, double[] sumDy, double[] sumDyXhat) {
        float[] x = in.x(),
                residualF = in.residualF(),
                gamma = in.gamma(),
                beta = in.beta(),
                mean = in.mean(),
                invStd = in.invStd();
        byte[] residualB = in.residualB();
        int t = in.t(), b = in.b(), c = in.c(), hw = in.hw();
        float w = in.w();
        float decay = PlifRef.decay(w);
        int m = b * c * hw, planes = b * c;
        double[] planeDy = new double[planes], planeDyX = new double[planes], planeDecay = new double[planes];
        Parallel.forEach(planes, (worker, from, to) -> {
            float[] pre = Scratch.floats(0, t * L), h = Scratch.floats(1, t * L), vPrev = Scratch.floats(2, t * L);
            float[] lanes = Scratch.floats(3, L);
            for (int plane = from; plane < to; plane++) {
                int ch = plane % c;
                float mu = mean[ch], scale = gamma[ch] * invStd[ch], shift = beta[ch] - mu * scale;
                double sDy = 0, sDyX = 0, sDecay = 0;
                int j0 = plane * hw, j1 = j0 + hw, j = j0;
                while (j + L <= j1) { // groups of FLUSH vectors, each summed in float, the groups in double
                    FloatVector accDy = FloatVector.zero(S), accDyX = accDy, accDecay = accDy;
                    for (int end = Math.min(j1 - L, j + (FLUSH - 1) * L); j <= end; j += L) {
                        FloatVector v = FloatVector.zero(S);
                        for (int k = 0; k < t; k++) {
                            int at = k * m + j;
                            FloatVector p = FloatVector.fromArray(S, x, at).fma(scale, shift);
                            if (residualF != null) p = p.add(FloatVector.fromArray(S, residualF, at));
                            if (residualB != null) p = p.add(Simd.floatsOf(residualB, at));
                            p.intoArray(pre, k * L);
                            v.intoArray(vPrev, k * L);
                            FloatVector hk = p.sub(v).mul(decay).add(v);
                            hk.intoArray(h, k * L);
                            v = hk.blend(0f, hk.sub(PlifRef.THRESHOLD).compare(VectorOperators.GE, 0f));
                        }
                        FloatVector dv = FloatVector.zero(S);
                        for (int k = t - 1; k >= 0; k--) {
                            int at = k * m + j;
                            FloatVector dh = PlifFast.backStep(
                                    FloatVector.fromArray(S, h, k * L), FloatVector.fromArray(S, ds, at), dv);
                            // 0 + dh·decay, as the reference's in-place backward writes it: the same bits, signed
                            // zeros too
                            FloatVector d = dh.mul(decay).add(FloatVector.zero(S));
                            d.intoArray(dPre, at);
                            dv = dh.mul(1f - decay);
                            accDecay = dh.fma(
                                    FloatVector.fromArray(S, pre, k * L).sub(FloatVector.fromArray(S, vPrev, k * L)),
                                    accDecay);
                            accDy = accDy.add(d);
                            accDyX = d.fma(FloatVector.fromArray(S, x, at).sub(mu), accDyX);
                        }
                    }
                    sDy += Simd.sum(accDy, lanes);
                    sDyX += Simd.sum(accDyX, lanes);
                    sDecay += Simd.sum(accDecay, lanes);
                }
                for (; j < j1; j++) { // the plane's tail, as the forward's: no fma
                    float v = 0f;
                    for (int k = 0; k < t; k++) {
                        int at = k * m + j;
                        float p = x[at] * scale + shift;
                        if (residualF != null) p += residualF[at];
                        if (residualB != null) p += residualB[at];
                        pre[k] = p;
                        vPrev[k] = v;
                        h[k] = v + (p - v) * decay;
                        v = h[k] - PlifRef.THRESHOLD >= 0 ? 0f : h[k];
                    }
                    float dv = 0f;
                    for (int k = t - 1; k >= 0; k--) {
                        int at = k * m + j;
                        float dh = PlifFast.backStep(h[k], ds[at], dv);
                        float d = 0f + dh * decay;
                        dPre[at] = d;
                        dv = dh * (1f - decay);
                        sDecay += (double) dh * (pre[k] - vPrev[k]);
                        sDy += d;
                        sDyX += d * (x[at] - mu);
                    }
                }
                planeDy[plane] = sDy;
                planeDyX[plane] = sDyX;
                planeDecay[plane] = sDecay;
            }
        });
        double dDecay = 0;
        for (int ch = 0; ch < c; ch++) {
            double sDy = 0, sDyX = 0;
            for (int bi = 0; bi < b; bi++) {
                sDy += planeDy[bi * c + ch];
                sDyX += planeDyX[bi * c + ch];
            }
            sumDy[ch] = sDy;
            sumDyXhat[ch] = sDyX * invStd[ch];
        }
        for (double d : planeDecay) dDecay += d;
        return dDecay * decay * (1 - decay);
    }
}
