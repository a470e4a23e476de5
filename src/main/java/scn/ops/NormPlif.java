package scn.ops;

import scn.backend.Kernels;

/**
 * The forward of {@code plif(bn(x) + residual)} in one pass (SPEC sections 2 and 3): the neuron's input
 * {@code γ·(x − mean)·invStd + β + residual} is formed per element and fed straight into the charge/fire
 * recurrence, never written out. Dispatch: {@link NormPlifRef} (the composition of the reference batch
 * norm and PLIF) or {@link NormPlifFast}, whose spikes are identical to the fast batch norm followed by
 * the fast PLIF.
 *
 * <p>Layout: {@code x [T, B, C, HW]} (time-major, channels inside the batch), {@code residual} the same
 * size as floats or spike bytes (at most one of them), spikes {@code s} the same size.
 */
public final class NormPlif {
    private NormPlif() {}

    /**
     * Writes the spikes of {@code plif(γ·(x − mean)·invStd + β + residual)} with statistics {@code mean[C]}, {@code
     * invStd[C]}.
     */
    public static void forward(
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
        if (residualF != null && residualB != null)
            throw new IllegalArgumentException("norm_plif: at most one residual");
        long size = (long) t * b * c * hw;
        if (x.length < size
                || s.length < size
                || (residualF != null && residualF.length < size)
                || (residualB != null && residualB.length < size)) {
            throw new IllegalArgumentException("norm_plif: arrays shorter than T*B*C*HW = " + size);
        }
        if (gamma.length < c || beta.length < c || mean.length < c || invStd.length < c) {
            throw new IllegalArgumentException("norm_plif: per-channel arrays shorter than C = " + c);
        }
        if (Kernels.reference()) {
            NormPlifRef.forward(s, x, residualF, residualB, gamma, beta, mean, invStd, t, b, c, hw, w);
        } else {
            NormPlifFast.forward(s, x, residualF, residualB, gamma, beta, mean, invStd, t, b, c, hw, w);
        }
    }
}
