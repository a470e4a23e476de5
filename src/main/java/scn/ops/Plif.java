package scn.ops;

import scn.backend.Kernels;
import scn.backend.Profile;

/** Dispatch for the multi-step PLIF neuron over {@code x [T, M]}: {@link PlifRef} or {@link PlifFast}. */
public final class Plif {
    private Plif() {}

    /** Writes spikes {@code s [T, M]}. */
    public static void forward(byte[] s, float[] x, int t, int m, float w) {
        long t0 = Profile.start();
        if (Kernels.reference()) PlifRef.forward(s, x, t, m, w);
        else PlifFast.forward(s, x, t, m, w);
        Profile.stopForward("plif", t0);
    }

    /** {@code dx += ∂L/∂x}; returns {@code ∂L/∂w}. */
    public static double backward(float[] dx, float[] ds, float[] x, int t, int m, float w) {
        long t0 = Profile.start();
        double dw = Kernels.reference() ? PlifRef.backward(dx, ds, x, t, m, w) : PlifFast.backward(dx, ds, x, t, m, w);
        Profile.stop("plif", "backward", t0);
        return dw;
    }
}
