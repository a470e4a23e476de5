package scn.ops;

import scn.backend.Parallel;

/** Nearest ×2 upsampling with planes split over threads and each output row written once, then copied. */
final class Upsample2xFast {
    private Upsample2xFast() {}

    static void forward(float[] y, float[] x, int planes, int h, int w) {
        int wo = 2 * w;
        Parallel.forEach(planes, (worker, from, to) -> {
            for (int pl = from; pl < to; pl++) {
                for (int iy = 0; iy < h; iy++) {
                    int src = (pl * h + iy) * w;
                    int dst = (pl * 2 * h + 2 * iy) * wo;
                    for (int ix = 0; ix < w; ix++) {
                        float v = x[src + ix];
                        y[dst + 2 * ix] = v;
                        y[dst + 2 * ix + 1] = v;
                    }
                    System.arraycopy(y, dst, y, dst + wo, wo);
                }
            }
        });
    }

    static void backward(float[] dx, float[] dy, int planes, int h, int w) {
        int wo = 2 * w;
        Parallel.forEach(planes, (worker, from, to) -> {
            for (int pl = from; pl < to; pl++) {
                for (int iy = 0; iy < h; iy++) {
                    int r0 = (pl * 2 * h + 2 * iy) * wo, r1 = r0 + wo;
                    int dst = (pl * h + iy) * w;
                    for (int ix = 0; ix < w; ix++) {
                        dx[dst + ix] +=
                                (dy[r0 + 2 * ix] + dy[r0 + 2 * ix + 1]) + (dy[r1 + 2 * ix] + dy[r1 + 2 * ix + 1]);
                    }
                }
            }
        });
    }
}
