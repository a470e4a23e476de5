package scn.ops;

import scn.backend.Kernels;

/**
 * Dispatch for the elementwise operators that have a fast twin: {@link ElementwiseRef} when references
 * are forced, else {@link ElementwiseSimd}. Arrays must have matching lengths (checked by the caller,
 * at the tensor API).
 */
public final class Elementwise {
    private Elementwise() {}

    public static void add(float[] y, float[] a, float[] b) {
        if (Kernels.reference()) ElementwiseRef.add(y, a, b); else ElementwiseSimd.add(y, a, b);
    }

    public static void accumulate(float[] dx, float[] dy) {
        if (Kernels.reference()) ElementwiseRef.accumulate(dx, dy); else ElementwiseSimd.accumulate(dx, dy);
    }

    public static void relu(float[] y, float[] x) {
        if (Kernels.reference()) ElementwiseRef.relu(y, x); else ElementwiseSimd.relu(y, x);
    }

    public static void reluBackward(float[] dx, float[] dy, float[] x) {
        if (Kernels.reference()) ElementwiseRef.reluBackward(dx, dy, x); else ElementwiseSimd.reluBackward(dx, dy, x);
    }

    public static void sigmoid(float[] y, float[] x) {
        if (Kernels.reference()) ElementwiseRef.sigmoid(y, x); else ElementwiseSimd.sigmoid(y, x);
    }

    public static void sigmoidBackward(float[] dx, float[] dy, float[] y) {
        if (Kernels.reference()) ElementwiseRef.sigmoidBackward(dx, dy, y); else ElementwiseSimd.sigmoidBackward(dx, dy, y);
    }

    public static void meanTime(float[] y, float[] x, int t) {
        if (Kernels.reference()) ElementwiseRef.meanTime(y, x, t); else ElementwiseSimd.meanTime(y, x, t);
    }

    public static void meanTimeBackward(float[] dx, float[] dy, int t) {
        if (Kernels.reference()) ElementwiseRef.meanTimeBackward(dx, dy, t); else ElementwiseSimd.meanTimeBackward(dx, dy, t);
    }
}
