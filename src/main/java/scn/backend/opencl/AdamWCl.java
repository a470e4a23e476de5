package scn.backend.opencl;

import scn.backend.DeviceBuffer.Type;

/** The AdamW update on the device ({@code adamw.cl}), twin of {@link scn.ops.AdamWRef}. {@code step} counts from 1. */
public final class AdamWCl {
    private AdamWCl() {}

    /** Updates {@code p}, {@code m}, {@code v} (first {@code n} elements) from the gradient {@code g}. */
    public static void step(
            ClBuffer p,
            ClBuffer g,
            ClBuffer m,
            ClBuffer v,
            float lr,
            float beta1,
            float beta2,
            float eps,
            float weightDecay,
            int step,
            int n) {
        if (step < 1) throw new IllegalArgumentException("adamw: step counts from 1, got " + step);
        for (ClBuffer b : new ClBuffer[] {p, g, m, v}) b.require("adamw", "operand", Type.FLOAT32, n);
        // The bias corrections in double on the host, as the reference computes them.
        float c1 = (float) (1 - Math.pow(beta1, step)), c2 = (float) (1 - Math.pow(beta2, step));
        p.device()
                .kernel("adamw", "adamw_step", "")
                .launch1d(n, p, g, m, v, lr, beta1, beta2, eps, weightDecay, c1, c2, n);
    }
}
