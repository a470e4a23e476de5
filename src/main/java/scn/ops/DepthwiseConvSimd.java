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
 * SIMD along a row. Backward passes accumulate.
 */
final class DepthwiseConvSimd {
    private static final VectorSpecies<Float> S = Simd.F;
    private static final int L = S.length();

    private DepthwiseConvSimd() {}

    static void forward(float[] y, float[] xf, byte[] xb, float[] w, ConvGeometry g) {
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
            float[] padded = Scratch.floats(0, ph * pw);
            float[] lanes = Scratch.floats(5, L); // the accumulators' lane sums (Simd.sum)
            for (int c = from; c < to; c++) {
                int wAt = c * kh * kw;
                for (int n = 0; n < g.n(); n++) {
                    int plane = n * g.cin() + c;
                    pad(padded, xf, xb, plane * g.h() * g.w(), g);
                    int yAt = plane * ho * wo;
                    if (kh == 3 && kw == 3 && s == 1) {
                        weightGradient3x3(dw, wAt, dy, yAt, padded, pw, ho, wo, lanes);
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

    /** The 3×3, stride-1 case with all nine taps in registers: each {@code dy} vector is loaded once. */
    private static void weightGradient3x3(
            float[] dw, int wAt, float[] dy, int yAt, float[] padded, int pw, int ho, int wo, float[] lanes) {
        FloatVector a00 = FloatVector.zero(S), a01 = FloatVector.zero(S), a02 = FloatVector.zero(S);
        FloatVector a10 = FloatVector.zero(S), a11 = FloatVector.zero(S), a12 = FloatVector.zero(S);
        FloatVector a20 = FloatVector.zero(S), a21 = FloatVector.zero(S), a22 = FloatVector.zero(S);
        float[] tail = new float[9];
        for (int oy = 0; oy < ho; oy++) {
            int r0 = oy * pw, r1 = r0 + pw, r2 = r1 + pw;
            int dyAt = yAt + oy * wo;
            int ox = 0;
            for (; ox + L <= wo; ox += L) {
                FloatVector g = FloatVector.fromArray(S, dy, dyAt + ox);
                a00 = g.fma(FloatVector.fromArray(S, padded, r0 + ox), a00);
                a01 = g.fma(FloatVector.fromArray(S, padded, r0 + ox + 1), a01);
                a02 = g.fma(FloatVector.fromArray(S, padded, r0 + ox + 2), a02);
                a10 = g.fma(FloatVector.fromArray(S, padded, r1 + ox), a10);
                a11 = g.fma(FloatVector.fromArray(S, padded, r1 + ox + 1), a11);
                a12 = g.fma(FloatVector.fromArray(S, padded, r1 + ox + 2), a12);
                a20 = g.fma(FloatVector.fromArray(S, padded, r2 + ox), a20);
                a21 = g.fma(FloatVector.fromArray(S, padded, r2 + ox + 1), a21);
                a22 = g.fma(FloatVector.fromArray(S, padded, r2 + ox + 2), a22);
            }
            for (; ox < wo; ox++) {
                float dv = dy[dyAt + ox];
                for (int ky = 0; ky < 3; ky++)
                    for (int kx = 0; kx < 3; kx++) tail[ky * 3 + kx] += dv * padded[r0 + ky * pw + ox + kx];
            }
        }
        dw[wAt] += Simd.sum(a00, lanes) + tail[0];
        dw[wAt + 1] += Simd.sum(a01, lanes) + tail[1];
        dw[wAt + 2] += Simd.sum(a02, lanes) + tail[2];
        dw[wAt + 3] += Simd.sum(a10, lanes) + tail[3];
        dw[wAt + 4] += Simd.sum(a11, lanes) + tail[4];
        dw[wAt + 5] += Simd.sum(a12, lanes) + tail[5];
        dw[wAt + 6] += Simd.sum(a20, lanes) + tail[6];
        dw[wAt + 7] += Simd.sum(a21, lanes) + tail[7];
        dw[wAt + 8] += Simd.sum(a22, lanes) + tail[8];
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
