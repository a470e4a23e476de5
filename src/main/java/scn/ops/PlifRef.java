package scn.ops;

/**
 * The reference multi-step PLIF neuron (SPEC section 2), elementwise over {@code M} neurons and
 * {@code T} steps of a time-major input {@code x [T, M]}: charge with {@code decay = sigmoid(w)}, fire at
 * {@code h ≥ 1}, hard reset to 0. The backward uses the ATan surrogate (alpha = 2) for the step.
 *
 * <p>The forward keeps nothing: the backward re-runs the charge/fire recurrence from {@code x} (one
 * cheap elementwise pass) to recover {@code h_t}, {@code s_t} and {@code v_{t-1}} exactly, so the only
 * activation a PLIF layer holds for backpropagation through time is its input.
 */
public final class PlifRef {
    public static final float THRESHOLD = 1f;
    public static final float ALPHA = 2f;

    private PlifRef() {}

    public static float decay(float w) {
        return (float) (1.0 / (1.0 + Math.exp(-w)));
    }

    /** ATan surrogate of the Heaviside derivative at {@code u = h − V_th}: {@code (α/2) / (1 + (π/2·α·u)²)}. */
    public static float surrogate(float u) {
        float z = (float) (Math.PI / 2) * ALPHA * u;
        return (ALPHA / 2) / (1 + z * z);
    }

    /** Writes the spikes {@code s [T, M]} (0 or 1). */
    public static void forward(byte[] s, float[] x, int t, int m, float w) {
        float decay = decay(w);
        for (int j = 0; j < m; j++) {
            float v = 0f;
            for (int k = 0; k < t; k++) {
                int at = k * m + j;
                float h = v + (x[at] - v) * decay;
                boolean fire = h - THRESHOLD >= 0;
                s[at] = (byte) (fire ? 1 : 0);
                v = fire ? 0f : h;
            }
        }
    }

    /**
     * {@code dx += ∂L/∂x} from the spike gradients {@code ds [T, M]}; returns {@code ∂L/∂w} (the caller
     * adds it to the parameter's gradient).
     */
    public static double backward(float[] dx, float[] ds, float[] x, int t, int m, float w) {
        return backward(dx, ds, x, t, m, w, false);
    }

    /**
     * Overwrites the inputs {@code x [T, M]} with {@code ∂L/∂x}, exactly what {@link #backward} adds
     * into zeros, so a caller that no longer needs the inputs saves an array of their size; returns
     * {@code ∂L/∂w}.
     */
    public static double backwardInPlace(float[] x, float[] ds, int t, int m, float w) {
        return backward(x, ds, x, t, m, w, true);
    }

    /** Each input is read before its gradient is written, so {@code dx} may be {@code x} when {@code overwrite}. */
    private static double backward(float[] dx, float[] ds, float[] x, int t, int m, float w, boolean overwrite) {
        float decay = decay(w);
        float[] h = new float[t], vPrev = new float[t];
        double dDecay = 0;
        for (int j = 0; j < m; j++) {
            float v = 0f;
            for (int k = 0; k < t; k++) {
                vPrev[k] = v;
                h[k] = v + (x[k * m + j] - v) * decay;
                v = h[k] - THRESHOLD >= 0 ? 0f : h[k];
            }
            float dv = 0f;
            for (int k = t - 1; k >= 0; k--) {
                int at = k * m + j;
                float xa = x[at];
                float spike = h[k] - THRESHOLD >= 0 ? 1f : 0f;
                float dh = ds[at] * surrogate(h[k] - THRESHOLD) + dv * (1f - spike);
                dx[at] = (overwrite ? 0f : dx[at]) + dh * decay;
                dv = dh * (1f - decay);
                dDecay += (double) dh * (xa - vPrev[k]);
            }
        }
        return dDecay * decay * (1 - decay);
    }
}
