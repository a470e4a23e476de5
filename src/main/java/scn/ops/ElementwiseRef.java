package scn.ops;

/**
 * Reference elementwise operators and reductions, forward and backward side by side. Backward methods
 * accumulate into their gradient argument ({@code dx += …}). Those that run on whole activations
 * (add, ReLU, sigmoid, mean over time) have SIMD twins in {@link ElementwiseSimd}; the rest run on
 * loss-sized tensors and have only this implementation. Each works on the first {@code n} elements
 * ({@code [T, M]} for the means over time): arrays drawn from an arena may be longer.
 */
public final class ElementwiseRef {
    private ElementwiseRef() {}

    public static void add(float[] y, float[] a, float[] b, int n) {
        for (int i = 0; i < n; i++) y[i] = a[i] + b[i];
    }

    /** {@code dx += dy}: the backward of both operands of add, and of many identity-like ops. */
    public static void accumulate(float[] dx, float[] dy, int n) {
        for (int i = 0; i < n; i++) dx[i] += dy[i];
    }

    public static void sub(float[] y, float[] a, float[] b, int n) {
        for (int i = 0; i < n; i++) y[i] = a[i] - b[i];
    }

    public static void mul(float[] y, float[] a, float[] b, int n) {
        for (int i = 0; i < n; i++) y[i] = a[i] * b[i];
    }

    /** {@code da += dy·b} (the backward of {@code a·b} for {@code a}). */
    public static void mulBackward(float[] da, float[] dy, float[] b, int n) {
        for (int i = 0; i < n; i++) da[i] += dy[i] * b[i];
    }

    /** {@code y = a·x + b} with scalars {@code a}, {@code b}. */
    public static void affine(float[] y, float[] x, float a, float b, int n) {
        for (int i = 0; i < n; i++) y[i] = a * x[i] + b;
    }

    /** {@code dx += a·dy}. */
    public static void scaleBackward(float[] dx, float[] dy, float a, int n) {
        for (int i = 0; i < n; i++) dx[i] += a * dy[i];
    }

    public static void relu(float[] y, float[] x, int n) {
        for (int i = 0; i < n; i++) y[i] = x[i] > 0 ? x[i] : 0f;
    }

    /** {@code dx += dy} where the ReLU's input was positive (the derivative at 0 is taken as 0). */
    public static void reluBackward(float[] dx, float[] dy, float[] x, int n) {
        for (int i = 0; i < n; i++) if (x[i] > 0) dx[i] += dy[i];
    }

    public static void sigmoid(float[] y, float[] x, int n) {
        for (int i = 0; i < n; i++) y[i] = (float) (1.0 / (1.0 + Math.exp(-x[i])));
    }

    /** {@code dx += dy·y·(1−y)} from the saved output {@code y}. */
    public static void sigmoidBackward(float[] dx, float[] dy, float[] y, int n) {
        for (int i = 0; i < n; i++) dx[i] += dy[i] * y[i] * (1f - y[i]);
    }

    public static void log(float[] y, float[] x, int n) {
        for (int i = 0; i < n; i++) y[i] = (float) Math.log(x[i]);
    }

    public static void logBackward(float[] dx, float[] dy, float[] x, int n) {
        for (int i = 0; i < n; i++) dx[i] += dy[i] / x[i];
    }

    public static void clamp(float[] y, float[] x, float lo, float hi, int n) {
        for (int i = 0; i < n; i++) y[i] = Math.min(hi, Math.max(lo, x[i]));
    }

    /** Gradient passes where the input was inside {@code [lo, hi]} (as torch.clamp). */
    public static void clampBackward(float[] dx, float[] dy, float[] x, float lo, float hi, int n) {
        for (int i = 0; i < n; i++) if (x[i] >= lo && x[i] <= hi) dx[i] += dy[i];
    }

    public static void pow(float[] y, float[] x, float p, int n) {
        for (int i = 0; i < n; i++) y[i] = (float) Math.pow(x[i], p);
    }

    public static void powBackward(float[] dx, float[] dy, float[] x, float p, int n) {
        for (int i = 0; i < n; i++) dx[i] += (float) (dy[i] * p * Math.pow(x[i], p - 1));
    }

    public static void abs(float[] y, float[] x, int n) {
        for (int i = 0; i < n; i++) y[i] = Math.abs(x[i]);
    }

    /** {@code dx += dy·sign(x)}, with sign(0) = 0 as in torch. */
    public static void absBackward(float[] dx, float[] dy, float[] x, int n) {
        for (int i = 0; i < n; i++) dx[i] += dy[i] * Math.signum(x[i]);
    }

    /** Sum of all elements, in double. */
    public static double sum(float[] x, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) s += x[i];
        return s;
    }

    /** {@code dx += g} for every element (backward of a sum with upstream gradient {@code g}). */
    public static void broadcastAdd(float[] dx, float g, int n) {
        for (int i = 0; i < n; i++) dx[i] += g;
    }

    /** {@code y[m] = (1/T) Σ_t x[t, m]} for {@code x [T, M]}. */
    public static void meanTime(float[] y, float[] x, int t, int m) {
        for (int j = 0; j < m; j++) {
            double s = 0;
            for (int k = 0; k < t; k++) s += x[k * m + j];
            y[j] = (float) (s / t);
        }
    }

    /** {@code dx[t, m] += dy[m] / T}. */
    public static void meanTimeBackward(float[] dx, float[] dy, int t, int m) {
        for (int k = 0; k < t; k++) for (int j = 0; j < m; j++) dx[k * m + j] += dy[j] / t;
    }
}
