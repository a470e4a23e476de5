package scn.ops;

/**
 * The reference max-pool over {@code [N·C planes, H, W]}: padding never wins (it is −∞), ties go to the
 * first element in scan order, and the forward records that element's plane index for the backward.
 */
public final class MaxPool2dRef {
    private MaxPool2dRef() {}

    public static void forward(float[] y, int[] argmax, float[] x, int planes, int h, int w, int k, int s, int p) {
        int ho = PoolGeometry.out(h, k, s, p), wo = PoolGeometry.out(w, k, s, p);
        for (int pl = 0; pl < planes; pl++) {
            for (int oy = 0; oy < ho; oy++) {
                for (int ox = 0; ox < wo; ox++) {
                    float best = Float.NEGATIVE_INFINITY;
                    int bestAt = -1;
                    for (int ky = 0; ky < k; ky++) {
                        int iy = oy * s - p + ky;
                        if (iy < 0 || iy >= h) continue;
                        for (int kx = 0; kx < k; kx++) {
                            int ix = ox * s - p + kx;
                            if (ix < 0 || ix >= w) continue;
                            float v = x[(pl * h + iy) * w + ix];
                            if (v > best || bestAt < 0) {
                                best = v;
                                bestAt = iy * w + ix;
                            }
                        }
                    }
                    int at = (pl * ho + oy) * wo + ox;
                    y[at] = best;
                    argmax[at] = bestAt;
                }
            }
        }
    }

    /** {@code dx += dy} routed to each window's recorded maximum. */
    public static void backward(float[] dx, float[] dy, int[] argmax, int planes, int h, int w, int ho, int wo) {
        for (int pl = 0; pl < planes; pl++) {
            for (int i = 0; i < ho * wo; i++) {
                int at = pl * ho * wo + i;
                dx[pl * h * w + argmax[at]] += dy[at];
            }
        }
    }
}
