package scn.ops;

import scn.backend.Kernels;

/**
 * Dispatch for the elementwise operators that have a fast twin: {@link ElementwiseRef} when references
 * are forced, else {@link ElementwiseSimd}. Each works on the first {@code n} elements of its arrays
 * ({@code [T, M]} for the means over time), which the caller has checked they hold.
 */
public final class Elementwise {
    private Elementwise() {}

    public static void add(float[] y, float[] a, float[] b, int n) {
        if (Kernels.reference()) ElementwiseRef.add(y, a, b, n);
        else ElementwiseSimd.add(y, a, b, n);
    }

    public static void accumulate(float[] dx, float[] dy, int n) {
        if (Kernels.reference()) ElementwiseRef.accumulate(dx, dy, n);
        else ElementwiseSimd.accumulate(dx, dy, n);
    }

    public static void relu(float[] y, float[] x, int n) {
        if (Kernels.reference()) ElementwiseRef.relu(y, x, n);
        else ElementwiseSimd.relu(y, x, n);
    }

    public static void reluBackward(float[] dx, float[] dy, float[] x, int n) {
        if (Kernels.reference()) ElementwiseRef.reluBackward(dx, dy, x, n);
        else ElementwiseSimd.reluBackward(dx, dy, x, n);
    }

    public static void sigmoid(float[] y, float[] x, int n) {
        if (Kernels.reference()) ElementwiseRef.sigmoid(y, x, n);
        else ElementwiseSimd.sigmoid(y, x, n);
    }

    public static void sigmoidBackward(float[] dx, float[] dy, float[] y, int n) {
        if (Kernels.reference()) ElementwiseRef.sigmoidBackward(dx, dy, y, n);
        else ElementwiseSimd.sigmoidBackward(dx, dy, y, n);
    }

    public static void meanTime(float[] y, float[] x, int t, int m) {
        if (Kernels.reference()) ElementwiseRef.meanTime(y, x, t, m);
        else ElementwiseSimd.meanTime(y, x, t, m);
    }

    public static void meanTimeBackward(float[] dx, float[] dy, int t, int m) {
        if (Kernels.reference()) ElementwiseRef.meanTimeBackward(dx, dy, t, m);
        else ElementwiseSimd.meanTimeBackward(dx, dy, t, m);
    }
}
