package scn.ops;

import scn.backend.Parallel;

/**
 * Data-movement operators on byte spikes, so binary activations stay one byte per element through
 * pooling, upsampling and concatenation (SPEC: max-pool on spikes is a logical OR; nearest upsampling
 * and concatenation keep spikes binary). Each gives exactly what its float twin gives on 0/1 input;
 * the backward passes are the float ones ({@link MaxPool2d#backward}, {@link Upsample2x#backward},
 * {@link Concat#backward}), since gradients are dense.
 */
public final class SpikeOps {
    private SpikeOps() {}

    /**
     * Max-pool over {@code planes} of {@code [h, w]}: the OR of each window. The recorded argmax is the
     * first 1 in scan order, else the first element inside the frame — the float max-pool's tie rule.
     */
    public static void maxPool(byte[] y, int[] argmax, byte[] x, int planes, int h, int w, int k, int s, int p) {
        int ho = PoolGeometry.out(h, k, s, p), wo = PoolGeometry.out(w, k, s, p);
        Parallel.forEach(planes, (worker, from, to) -> {
            for (int pl = from; pl < to; pl++) {
                int xAt = pl * h * w;
                for (int oy = 0; oy < ho; oy++) {
                    int y0 = oy * s - p, yLo = Math.max(0, y0), yHi = Math.min(h, y0 + k);
                    for (int ox = 0; ox < wo; ox++) {
                        int x0 = ox * s - p, xLo = Math.max(0, x0), xHi = Math.min(w, x0 + k);
                        int found = -1;
                        search:
                        for (int iy = yLo; iy < yHi; iy++) {
                            for (int ix = xLo; ix < xHi; ix++) {
                                if (x[xAt + iy * w + ix] != 0) {
                                    found = iy * w + ix;
                                    break search;
                                }
                            }
                        }
                        int at = (pl * ho + oy) * wo + ox;
                        y[at] = (byte) (found >= 0 ? 1 : 0);
                        argmax[at] = found >= 0 ? found : yLo * w + xLo;
                    }
                }
            }
        });
    }

    /** Nearest ×2 upsampling of byte planes. */
    public static void upsample2x(byte[] y, byte[] x, int planes, int h, int w) {
        int wo = 2 * w;
        Parallel.forEach(planes, (worker, from, to) -> {
            for (int pl = from; pl < to; pl++) {
                for (int iy = 0; iy < h; iy++) {
                    int src = (pl * h + iy) * w, dst = (pl * 2 * h + 2 * iy) * wo;
                    for (int ix = 0; ix < w; ix++) {
                        y[dst + 2 * ix] = x[src + ix];
                        y[dst + 2 * ix + 1] = x[src + ix];
                    }
                    System.arraycopy(y, dst, y, dst + wo, wo);
                }
            }
        });
    }

    /**
     * Channel concatenation of {@code n} images: {@code a} holds {@code sa} bytes per image, {@code b} holds {@code
     * sb}.
     */
    public static void concat(byte[] y, byte[] a, byte[] b, int n, int sa, int sb) {
        for (int i = 0; i < n; i++) {
            System.arraycopy(a, i * sa, y, i * (sa + sb), sa);
            System.arraycopy(b, i * sb, y, i * (sa + sb) + sa, sb);
        }
    }
}
