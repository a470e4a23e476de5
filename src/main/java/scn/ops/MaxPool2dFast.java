package scn.ops;

import scn.backend.Parallel;

/**
 * The fast max-pool: planes split over threads; interior windows, which cannot touch the padding, run
 * without bounds checks. Same results, tie rule and argmax as {@link MaxPool2dRef}.
 */
final class MaxPool2dFast {
    private MaxPool2dFast() {}

    static void forward(float[] y, int[] argmax, float[] x, int planes, int h, int w, int k, int s, int p) {
        int ho = PoolGeometry.out(h, k, s, p), wo = PoolGeometry.out(w, k, s, p);
        Parallel.forEach(planes, (worker, from, to) -> {
            for (int pl = from; pl < to; pl++) {
                int xAt = pl * h * w;
                for (int oy = 0; oy < ho; oy++) {
                    int y0 = oy * s - p;
                    boolean rowInside = y0 >= 0 && y0 + k <= h;
                    for (int ox = 0; ox < wo; ox++) {
                        int x0 = ox * s - p;
                        float best = Float.NEGATIVE_INFINITY;
                        int bestAt = -1;
                        if (rowInside && x0 >= 0 && x0 + k <= w) {
                            for (int ky = 0; ky < k; ky++) {
                                int row = (y0 + ky) * w + x0;
                                for (int kx = 0; kx < k; kx++) {
                                    float v = x[xAt + row + kx];
                                    if (v > best || bestAt < 0) {
                                        best = v;
                                        bestAt = row + kx;
                                    }
                                }
                            }
                        } else {
                            for (int iy = Math.max(0, y0); iy < Math.min(h, y0 + k); iy++) {
                                for (int ix = Math.max(0, x0); ix < Math.min(w, x0 + k); ix++) {
                                    float v = x[xAt + iy * w + ix];
                                    if (v > best || bestAt < 0) {
                                        best = v;
                                        bestAt = iy * w + ix;
                                    }
                                }
                            }
                        }
                        int at = (pl * ho + oy) * wo + ox;
                        y[at] = best;
                        argmax[at] = bestAt;
                    }
                }
            }
        });
    }

    static void backward(float[] dx, float[] dy, int[] argmax, int planes, int h, int w, int ho, int wo) {
        Parallel.forEach(planes, (worker, from, to) -> {
            for (int pl = from; pl < to; pl++) {
                int xAt = pl * h * w, yAt = pl * ho * wo;
                for (int i = 0; i < ho * wo; i++) dx[xAt + argmax[yAt + i]] += dy[yAt + i];
            }
        });
    }
}
