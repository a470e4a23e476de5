package scn.ops;

import scn.backend.Parallel;

/**
 * The AdamW update split over threads in contiguous ranges; float arithmetic (the reference works in
 * double for the bias corrections), so results agree with {@link AdamWRef} to float round-off.
 */
final class AdamWFast {
    private static final int PARALLEL_MIN = 1 << 14;

    private AdamWFast() {}

    static void step(
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
        float c1 = (float) (1 - Math.pow(beta1, step)), c2 = (float) (1 - Math.pow(beta2, step));
        float shrink = 1 - lr * weightDecay, stepSize = lr / c1, invC2 = 1 / c2;
        int n = p.length;
        int parts = n < PARALLEL_MIN ? 1 : Parallel.threads();
        Parallel.forEach(parts, (worker, from, to) -> {
            for (int part = from; part < to; part++) {
                int lo = (int) ((long) n * part / parts), hi = (int) ((long) n * (part + 1) / parts);
                for (int i = lo; i < hi; i++) {
                    float gi = g[i];
                    float mi = beta1 * m[i] + (1 - beta1) * gi;
                    float vi = beta2 * v[i] + (1 - beta2) * gi * gi;
                    m[i] = mi;
                    v[i] = vi;
                    p[i] = p[i] * shrink - stepSize * mi / ((float) Math.sqrt(vi * invC2) + eps);
                }
            }
        });
    }
}
