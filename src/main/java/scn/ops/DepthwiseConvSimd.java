package scn.ops;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;
import scn.backend.Parallel;
import scn.backend.Scratch;
import scn.backend.Simd;
import scn.tensor.ConvGeometry;

/**
 * Depthwise convolution ({@code groups == Cin == Cout}) computed directly, one channel plane at a time:
 * a GEMM would have one output row per group and waste the micro-kernel. Each plane is first copied
 * into a zero-padded scratch plane so the inner loops need no bounds checks; with stride 1 the taps are
 * SIMD along a row. The decoder's 3×3, stride-1, padding-1 layers run flat: the padded plane's rows of
 * {@code w + 2} are one array, so a tap is one offset, vectors run across row ends (the two extra columns are
 * computed and dropped) and a row of 20 or 40 fills its vectors as well as a row of 80. The input gradient is
 * then the same correlation of the padded {@code dY} with the taps turned by 180°, gathered instead of scattered.
 * Backward passes accumulate.
 */
final class DepthwiseConvSimd {
    private static final VectorSpecies<Float> S = Simd.F;
    private static final int L = S.length();

    private DepthwiseConvSimd() {}

    static void forward(float[] y, float[] xf, byte[] xb, float[] w, ConvGeometry g) {
        if (flat(g)) {
            correlate(y, false, xf, xb, w, false, g);
            return;
        }
        int ho = g.hOut(), wo = g.wOut(), kh = g.kh(), kw = g.kw(), s = g.stride();
        int pw = g.w() + 2 * g.pad(), ph = g.h() + 2 * g.pad();
        VectorMask<Float> tail = S.indexInRange(wo / L * L, wo);
        Parallel.forEach(g.n() * g.cin(), (worker, from, to) -> {
            float[] padded = Scratch.floats(0, ph * pw + L); // + L: a partial last vector reads past the plane
            for (int plane = from; plane < to; plane++) {
                int c = plane % g.cin();
                pad(padded, xf, xb, plane * g.h() * g.w(), g);
                int wAt = c * kh * kw;
                int yAt = plane * ho * wo;
                for (int oy = 0; oy < ho; oy++) {
                    int ox = 0;
                    if (s == 1) {
                        // Full vectors, then the row's tail as one masked vector: the lanes past the row
                        // read the next row's padding and are never stored.
                        for (; ox < wo; ox += L) {
                            FloatVector acc = FloatVector.zero(S);
                            for (int ky = 0; ky < kh; ky++) {
                                int rowAt = (oy + ky) * pw + ox;
                                for (int kx = 0; kx < kw; kx++) {
                                    acc = FloatVector.fromArray(S, padded, rowAt + kx)
                                            .fma(FloatVector.broadcast(S, w[wAt + ky * kw + kx]), acc);
                                }
                            }
                            if (ox + L <= wo) acc.intoArray(y, yAt + oy * wo + ox);
                            else acc.intoArray(y, yAt + oy * wo + ox, tail);
                        }
                    }
                    for (; ox < wo; ox++) {
                        float acc = 0f;
                        for (int ky = 0; ky < kh; ky++) {
                            int rowAt = (oy * s + ky) * pw + ox * s;
                            for (int kx = 0; kx < kw; kx++) acc += padded[rowAt + kx] * w[wAt + ky * kw + kx];
                        }
                        y[yAt + oy * wo + ox] = acc;
                    }
                }
            }
        });
    }

    static void backwardInput(float[] dx, float[] dy, float[] w, ConvGeometry g) {
        if (flat(g)) {
            correlate(dx, true, dy, null, w, true, g);
            return;
        }
        int ho = g.hOut(), wo = g.wOut(), kh = g.kh(), kw = g.kw(), s = g.stride(), p = g.pad();
        int pw = g.w() + 2 * p, ph = g.h() + 2 * p;
        VectorMask<Float> tail = S.indexInRange(wo / L * L, wo);
        Parallel.forEach(g.n() * g.cin(), (worker, from, to) -> {
            float[] dpad = Scratch.floats(1, ph * pw);
            for (int plane = from; plane < to; plane++) {
                int c = plane % g.cin();
                Arrays.fill(dpad, 0, ph * pw, 0f);
                int wAt = c * kh * kw;
                int yAt = plane * ho * wo;
                for (int oy = 0; oy < ho; oy++) {
                    for (int ky = 0; ky < kh; ky++) {
                        for (int kx = 0; kx < kw; kx++) {
                            float wv = w[wAt + ky * kw + kx];
                            FloatVector wvv = FloatVector.broadcast(S, wv);
                            int dst = (oy * s + ky) * pw + kx;
                            int src = yAt + oy * wo;
                            int ox = 0;
                            if (s == 1) {
                                for (; ox + L <= wo; ox += L) {
                                    FloatVector.fromArray(S, dy, src + ox)
                                            .fma(wvv, FloatVector.fromArray(S, dpad, dst + ox))
                                            .intoArray(dpad, dst + ox);
                                }
                                if (ox < wo) { // the row's tail, masked
                                    FloatVector.fromArray(S, dy, src + ox, tail)
                                            .fma(wvv, FloatVector.fromArray(S, dpad, dst + ox, tail))
                                            .intoArray(dpad, dst + ox, tail);
                                    ox = wo;
                                }
                            }
                            for (; ox < wo; ox++) dpad[dst + ox * s] += wv * dy[src + ox];
                        }
                    }
                }
                int xAt = plane * g.h() * g.w();
                for (int iy = 0; iy < g.h(); iy++) {
                    int from2 = (iy + p) * pw + p;
                    for (int ix = 0; ix < g.w(); ix++) dx[xAt + iy * g.w() + ix] += dpad[from2 + ix];
                }
            }
        });
    }

    static void backwardWeight(float[] dw, float[] dy, float[] xf, byte[] xb, ConvGeometry g) {
        int ho = g.hOut(), wo = g.wOut(), kh = g.kh(), kw = g.kw(), s = g.stride();
        int pw = g.w() + 2 * g.pad(), ph = g.h() + 2 * g.pad();
        Parallel.forEach(g.cin(), (worker, from, to) -> {
            // + 2L: the flat weight gradient's last vectors read at most L + 1 past the plane (zeroed below)
            float[] padded = Scratch.floats(0, ph * pw + 2 * L);
            float[] dyFlat = flat(g) ? Scratch.floats(1, FlatPlanes.length(g.h(), g.w())) : null;
            float[] lanes = Scratch.floats(5, L); // the accumulators' lane sums (Simd.sum)
            Arrays.fill(padded, ph * pw, ph * pw + 2 * L, 0f);
            for (int c = from; c < to; c++) {
                int wAt = c * kh * kw;
                for (int n = 0; n < g.n(); n++) {
                    int plane = n * g.cin() + c;
                    pad(padded, xf, xb, plane * g.h() * g.w(), g);
                    int yAt = plane * ho * wo;
                    if (flat(g)) {
                        weightGradientFlat(dw, wAt, dy, yAt, dyFlat, padded, pw, ho, wo, lanes);
                    } else {
                        weightGradient(dw, wAt, dy, yAt, padded, pw, ho, wo, kh, kw, s, lanes);
                    }
                }
            }
        });
    }

    /** {@code dw[ky][kx] += Σ dy[oy][ox]·padded[oy·s+ky][ox·s+kx]}, one tap at a time. */
    private static void weightGradient(
            float[] dw,
            int wAt,
            float[] dy,
            int yAt,
            float[] padded,
            int pw,
            int ho,
            int wo,
            int kh,
            int kw,
            int s,
            float[] lanes) {
        for (int ky = 0; ky < kh; ky++) {
            for (int kx = 0; kx < kw; kx++) {
                float sum = 0f;
                FloatVector acc = FloatVector.zero(S); // every row's vector part; reduced once, below
                for (int oy = 0; oy < ho; oy++) {
                    int src = (oy * s + ky) * pw + kx;
                    int dyAt = yAt + oy * wo;
                    int ox = 0;
                    if (s == 1) {
                        for (; ox + L <= wo; ox += L) {
                            acc = FloatVector.fromArray(S, dy, dyAt + ox)
                                    .fma(FloatVector.fromArray(S, padded, src + ox), acc);
                        }
                    }
                    for (; ox < wo; ox++) sum += dy[dyAt + ox] * padded[src + ox * s];
                }
                dw[wAt + ky * kw + kx] += Simd.sum(acc, lanes) + sum;
            }
        }
    }

    /** Whether the flat kernels apply: a 3×3 kernel, stride 1, padding 1. */
    private static boolean flat(ConvGeometry g) {
        return g.kh() == 3 && g.kw() == 3 && g.stride() == 1 && g.pad() == 1;
    }

    /**
     * {@code out[plane][y][x] (+)= Σ_tap k[tap] · src[plane][y + ky − 1][x + kx − 1]} for every plane, adding when
     * {@code add}, with the taps {@code k[tap] = w[c][tap]}, or {@code w[c][8 − tap]} when {@code flip} (the input
     * gradient). The source is one of {@code xf} and {@code xb}.
     */
    private static void correlate(
            float[] out, boolean add, float[] xf, byte[] xb, float[] w, boolean flip, ConvGeometry g) {
        int h = g.h(), wi = g.w(), pw = wi + 2, ph = h + 2, flat = FlatPlanes.length(g.h(), g.w());
        Parallel.forEach(g.n() * g.cin(), (worker, from, to) -> {
            // + 2L: the last vectors read at most L + 1 past the plane; what they read only reaches dropped lanes
            float[] padded = Scratch.floats(0, ph * pw + 2 * L);
            float[] acc = Scratch.floats(1, flat);
            Arrays.fill(padded, ph * pw, ph * pw + 2 * L, 0f);
            for (int plane = from; plane < to; plane++) {
                int wAt = plane % g.cin() * 9;
                pad(padded, xf, xb, plane * h * wi, g);
                correlatePlane(acc, padded, pw, flat / L, w, wAt, flip);
                FlatPlanes.toRows(out, plane * h * wi, acc, 0, h, wi, add);
            }
        });
    }

    /**
     * {@code acc[q] = Σ_tap k[tap] · padded[q + ky·pw + kx]} over the {@code nv} vectors of one flat plane, four
     * vectors at a time so that four chains of nine multiply-adds overlap; taps as in {@link #correlate}.
     */
    private static void correlatePlane(float[] acc, float[] padded, int pw, int nv, float[] w, int wAt, boolean flip) {
        int v = 0;
        for (; v + 4 <= nv; v += 4) {
            int q = v * L;
            FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
            for (int ky = 0; ky < 3; ky++) {
                for (int kx = 0; kx < 3; kx++) {
                    int tap = ky * 3 + kx, r = q + ky * pw + kx;
                    FloatVector k = FloatVector.broadcast(S, w[wAt + (flip ? 8 - tap : tap)]);
                    a0 = FloatVector.fromArray(S, padded, r).fma(k, a0);
                    a1 = FloatVector.fromArray(S, padded, r + L).fma(k, a1);
                    a2 = FloatVector.fromArray(S, padded, r + 2 * L).fma(k, a2);
                    a3 = FloatVector.fromArray(S, padded, r + 3 * L).fma(k, a3);
                }
            }
            a0.intoArray(acc, q);
            a1.intoArray(acc, q + L);
            a2.intoArray(acc, q + 2 * L);
            a3.intoArray(acc, q + 3 * L);
        }
        for (; v < nv; v++) {
            int q = v * L;
            FloatVector a = FloatVector.zero(S);
            for (int ky = 0; ky < 3; ky++) {
                for (int kx = 0; kx < 3; kx++) {
                    int tap = ky * 3 + kx;
                    a = FloatVector.fromArray(S, padded, q + ky * pw + kx)
                            .fma(FloatVector.broadcast(S, w[wAt + (flip ? 8 - tap : tap)]), a);
                }
            }
            a.intoArray(acc, q);
        }
    }

    /**
     * The flat weight gradient of one plane: {@code dY} is laid out on rows of {@code pw} with two zero columns per
     * row and a zero tail, so that each tap's nine dot products with the padded input run over whole vectors, across
     * row ends, where the zeros cancel what the shift wraps in. All nine taps stay in registers, and each {@code dY}
     * vector is loaded once.
     */
    private static void weightGradientFlat(
            float[] dw,
            int wAt,
            float[] dy,
            int yAt,
            float[] dyFlat,
            float[] padded,
            int pw,
            int ho,
            int wo,
            float[] lanes) {
        int flat = FlatPlanes.length(ho, wo);
        FlatPlanes.fromRows(dyFlat, 0, dy, yAt, ho, wo);
        FloatVector a00 = FloatVector.zero(S), a01 = a00, a02 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00;
        int r1 = pw, r2 = 2 * pw;
        for (int q = 0; q < flat; q += L) {
            FloatVector g = FloatVector.fromArray(S, dyFlat, q);
            a00 = g.fma(FloatVector.fromArray(S, padded, q), a00);
            a01 = g.fma(FloatVector.fromArray(S, padded, q + 1), a01);
            a02 = g.fma(FloatVector.fromArray(S, padded, q + 2), a02);
            a10 = g.fma(FloatVector.fromArray(S, padded, r1 + q), a10);
            a11 = g.fma(FloatVector.fromArray(S, padded, r1 + q + 1), a11);
            a12 = g.fma(FloatVector.fromArray(S, padded, r1 + q + 2), a12);
            a20 = g.fma(FloatVector.fromArray(S, padded, r2 + q), a20);
            a21 = g.fma(FloatVector.fromArray(S, padded, r2 + q + 1), a21);
            a22 = g.fma(FloatVector.fromArray(S, padded, r2 + q + 2), a22);
        }
        // Named registers, no array of vectors: an array would box them.
        dw[wAt] += Simd.sum(a00, lanes);
        dw[wAt + 1] += Simd.sum(a01, lanes);
        dw[wAt + 2] += Simd.sum(a02, lanes);
        dw[wAt + 3] += Simd.sum(a10, lanes);
        dw[wAt + 4] += Simd.sum(a11, lanes);
        dw[wAt + 5] += Simd.sum(a12, lanes);
        dw[wAt + 6] += Simd.sum(a20, lanes);
        dw[wAt + 7] += Simd.sum(a21, lanes);
        dw[wAt + 8] += Simd.sum(a22, lanes);
    }

    /** Copies one input plane into the centre of a zero-bordered {@code [h+2p, w+2p]} plane. */
    private static void pad(float[] padded, float[] xf, byte[] xb, int xAt, ConvGeometry g) {
        int p = g.pad(), pw = g.w() + 2 * p, ph = g.h() + 2 * p;
        Arrays.fill(padded, 0, p * pw, 0f);
        Arrays.fill(padded, (ph - p) * pw, ph * pw, 0f);
        for (int iy = 0; iy < g.h(); iy++) {
            int dst = (iy + p) * pw;
            Arrays.fill(padded, dst, dst + p, 0f);
            Arrays.fill(padded, dst + p + g.w(), dst + pw, 0f);
            int src = xAt + iy * g.w();
            if (xf != null) {
                System.arraycopy(xf, src, padded, dst + p, g.w());
            } else {
                int ix = 0;
                for (; ix + L <= g.w(); ix += L) {
                    Simd.floatsOf(xb, src + ix).intoArray(padded, dst + p + ix);
                }
                for (; ix < g.w(); ix++) padded[dst + p + ix] = xb[src + ix];
            }
        }
    }
}
