package scn.ops;

/**
 * The reference AdamW update (decoupled weight decay, as torch.optim.AdamW) for one parameter tensor:
 * {@code p ← p·(1 − lr·wd)}, then the bias-corrected Adam step. {@code step} counts from 1.
 */
public final class AdamWRef {
    private AdamWRef() {}

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
        double c1 = 1 - Math.pow(beta1, step), c2 = 1 - Math.pow(beta2, step);
        for (int i = 0; i < p.length; i++) {
            m[i] = beta1 * m[i] + (1 - beta1) * g[i];
            v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
            double mHat = m[i] / c1, vHat = v[i] / c2;
            p[i] = (float) (p[i] * (1 - (double) lr * weightDecay) - lr * mHat / (Math.sqrt(vHat) + eps));
        }
    }
}
