package scn.ops;

import scn.backend.Kernels;

/** Dispatch for the AdamW update: {@link AdamWRef} or {@link AdamWFast}. */
public final class AdamWUpdate {
    private AdamWUpdate() {}

    public static void step(
            float[] p,
            float[] g,
            float[] m,
            float[] v,
            float lr,
            float beta1,
            float beta2,
            float eps,
            float weightDecay,
            int step) {
        if (Kernels.reference()) {
            AdamWRef.step(p, g, m, v, lr, beta1, beta2, eps, weightDecay, step);
        } else {
            AdamWFast.step(p, g, m, v, lr, beta1, beta2, eps, weightDecay, step);
        }
    }
}
