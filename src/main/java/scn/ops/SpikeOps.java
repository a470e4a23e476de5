package scn.ops;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import scn.backend.Parallel;

/**
 * Data-movement operators on byte spikes, so binary activations stay one byte per element through
 * pooling, upsampling and concatenation (SPEC: max-pool on spikes is a logical OR; nearest upsampling
 * and concatenation keep spikes binary). Each gives exactly what its float twin gives on 0/1 input;
 * the backward passes are the float ones ({@link MaxPool2d#backward}, {@link Upsample2x#backward},
 * {@link Concat#backward}), since gradients are dense.
 */
public final class SpikeOps {
    private static final VectorSpecies<Byte> B = ByteVector.SPECIES_PREFERRED;

    private SpikeOps() {}

    /**
     * Max-pool over {@code planes} of {@code [h, w]}: the OR of each window. The recorded argmax is the
     * first 1 in scan order, else the first element inside the frame — the float max-pool's tie rule.
     */
    public static void maxPool(byte[] y, int[] argmax, byte[] x, int planes, int h, int w, int k, int s, int p) {
        if (k == 3 && s == 2 && p == 1) {
            maxPool3x3s2(y, argmax, x, planes, h, w);
            return;
        }
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

    /**
     * The stem's pool (3×3, stride 2, padding 1) without a branch on the spikes, which no predictor guesses: per
     * output row, each input column first gets the code of its first 1 among the window's three rows (0, 1, 2, or 3
     * for none), a byte vector of columns at a time; then each output takes the smallest {@code 4·code + column} of its three columns, which is its first
     * 1 in scan order. The same results and argmax as the general loop.
     */
    private static void maxPool3x3s2(byte[] y, int[] argmax, byte[] x, int planes, int h, int w) {
        int ho = PoolGeometry.out(h, 3, 2, 1), wo = PoolGeometry.out(w, 3, 2, 1);
        Parallel.forEach(planes, (worker, from, to) -> {
            byte[] code = new byte[w + 2]; // code[ix + 1] for input column ix; 3 at the two border columns
            code[0] = 3;
            code[w + 1] = 3;
            for (int pl = from; pl < to; pl++) {
                int xAt = pl * h * w;
                for (int oy = 0; oy < ho; oy++) {
                    int y0 = 2 * oy - 1; // row y0 + 1 = 2·oy is always inside the plane
                    int r0 = xAt + y0 * w, r1 = r0 + w, r2 = r1 + w;
                    boolean top = y0 >= 0, bottom = y0 + 2 < h;
                    int ix = 0;
                    if (top && bottom) { // all three rows inside: 64 columns at a time
                        for (; ix + B.length() <= w; ix += B.length()) {
                            VectorMask<Byte> m0 = ones(x, r0 + ix), m1 = ones(x, r1 + ix), m2 = ones(x, r2 + ix);
                            // the first row with a 1 wins: 0 over 1 over 2 over none (3)
                            ByteVector.broadcast(B, (byte) 3)
                                    .blend(2, m2)
                                    .blend(1, m1)
                                    .blend(0, m0)
                                    .intoArray(code, ix + 1);
                        }
                    }
                    for (; ix < w; ix++) {
                        int b0 = top ? one(x[r0 + ix]) : 0, b1 = one(x[r1 + ix]), b2 = bottom ? one(x[r2 + ix]) : 0;
                        code[ix + 1] = (byte) (3 - (b0 | b1 | b2) - (b0 | b1) - b0);
                    }
                    int yLo = Math.max(0, y0), at = (pl * ho + oy) * wo;
                    for (int ox = 0; ox < wo; ox++) {
                        int c = 2 * ox; // code index of column 2·ox − 1, the window's first
                        int key = Math.min(Math.min(4 * code[c], 4 * code[c + 1] + 1), 4 * code[c + 2] + 2);
                        int hit = (key - 12) >>> 31; // 1 when the window holds a 1
                        int x0 = c - 1;
                        y[at + ox] = (byte) hit;
                        int first = (y0 + (key >> 2)) * w + x0 + (key & 3), frame = yLo * w + Math.max(0, x0);
                        argmax[at + ox] = frame + hit * (first - frame); // no branch here either
                    }
                }
            }
        });
    }

    /** The lanes of the 64 (or as many as a vector holds) bytes from {@code at} that are not 0. */
    private static VectorMask<Byte> ones(byte[] x, int at) {
        return ByteVector.fromArray(B, x, at).compare(VectorOperators.NE, 0);
    }

    /** 1 for a nonzero byte, else 0. */
    private static int one(byte v) {
        int u = v & 0xff;
        return (u | -u) >>> 31;
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
