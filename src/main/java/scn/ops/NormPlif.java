package scn.ops;

import scn.backend.Kernels;
import scn.backend.Profile;

/**
 * The forward of {@code plif(bn(x) + residual)} in one pass (SPEC sections 2 and 3): the neuron's input
 * {@code γ·(x − mean)·invStd + β + residual} is formed per element and fed straight into the charge/fire
 * recurrence, never written out. Dispatch: {@link NormPlifRef} (the composition of the reference batch
 * norm and PLIF) or {@link NormPlifFast}, whose spikes are identical to the fast batch norm followed by
 * the fast PLIF.
 *
 * <p>The backward goes the same way in one pass: it forms the neuron's input again, runs the PLIF's
 * backward through time, writes {@code ∂L/∂(neuron input)} and adds up, per channel, the two sums the batch
 * norm's backward needs ({@link BatchNorm2d#backwardFromSums}), where the composition of the batch norm's
 * normalisation, the residual sum, the PLIF's backward and the batch norm's sums read and wrote the whole
 * tensor four times over.
 *
 * <p>Layout: {@code x [T, B, C, HW]} (time-major, channels inside the batch), {@code residual} the same
 * size as floats or spike bytes (at most one of them), spikes {@code s} the same size.
 */
public final class NormPlif {
    private NormPlif() {}

    /**
     * The neurons' input {@code γ·(x − mean)·invStd + β + residual} over {@code x [T, B, C, HW]}, with the batch
     * statistics {@code mean[C]}, {@code invStd[C]}, a residual as floats or spike bytes (at most one, either may be
     * null), and the PLIF's parameter {@code w}; the array sizes are checked here, once for the forward and backward.
     */
    public record Input(
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
        public Input {
            if (residualF != null && residualB != null)
                throw new IllegalArgumentException("norm_plif: at most one residual");
            long size = (long) t * b * c * hw;
            if (x.length < size
                    || (residualF != null && residualF.length < size)
                    || (residualB != null && residualB.length < size)) {
                throw new IllegalArgumentException("norm_plif: arrays shorter than T*B*C*HW = " + size);
            }
            if (gamma.length < c || beta.length < c || mean.length < c || invStd.length < c) {
                throw new IllegalArgumentException("norm_plif: per-channel arrays shorter than C = " + c);
            }
        }

        /** The same neurons over another array of the same {@code x} (the backward's recomputed one). */
        public Input withX(float[] again) {
            return new Input(again, residualF, residualB, gamma, beta, mean, invStd, t, b, c, hw, w);
        }

        long size() {
            return (long) t * b * c * hw;
        }
    }

    /** Writes the spikes {@code s} of {@code plif(in)}. */
    public static void forward(byte[] s, Input in) {
        if (s.length < in.size())
            throw new IllegalArgumentException("norm_plif: spikes shorter than T*B*C*HW = " + in.size());
        long t0 = Profile.start();
        if (Kernels.reference()) NormPlifRef.forward(s, in);
        else NormPlifFast.forward(s, in);
        Profile.stopForward("norm_plif", t0);
    }

    /**
     * The backward of {@link #forward}: overwrites {@code dPre} with {@code ∂L/∂in} from the spike gradients {@code
     * ds}, sets {@code sumDy[ch] = Σ dPre} and {@code sumDyXhat[ch] = Σ dPre·x̂} ({@code x̂ = (x − mean)·invStd}) over
     * each channel, and returns {@code ∂L/∂w}.
     */
    public static double backward(float[] dPre, float[] ds, Input in, double[] sumDy, double[] sumDyXhat) {
        if (dPre.length < in.size() || ds.length < in.size())
            throw new IllegalArgumentException("norm_plif: gradients shorter than T*B*C*HW = " + in.size());
        if (sumDy.length < in.c() || sumDyXhat.length < in.c())
            throw new IllegalArgumentException("norm_plif: per-channel sums shorter than C = " + in.c());
        long t0 = Profile.start();
        double dw = Kernels.reference()
                ? NormPlifRef.backward(dPre, ds, in, sumDy, sumDyXhat)
                : NormPlifFast.backward(dPre, ds, in, sumDy, sumDyXhat);
        Profile.stop("norm_plif", "backward", t0);
        return dw;
    }
}
