package scn.ops;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import scn.backend.Parallel;
import scn.backend.Scratch;
import scn.backend.Simd;
import scn.tensor.Arena;
import scn.tensor.ConvGeometry;

/**
 * A 3×3, stride-1, padding-1 convolution computed directly, without the column matrix, for float inputs: the
 * forward pass {@code Y[co, y, x] = Σ_ci Σ_ky,kx W[co, ci, ky, kx] · X[ci, y + ky − 1, x + kx − 1]} and the input
 * gradient {@code dX[ci, y, x] += Σ_co Σ_ky,kx W[co, ci, ky, kx] · dY[co, y + 1 − ky, x + 1 − kx]}. Both are one
 * correlation of a source image with a rearranged weight: the input gradient is the forward pass of {@code dY} with
 * the weight's channels swapped and its taps turned by 180°. The GEMM path multiplies with an inner dimension of
 * only {@code 9·cin} or {@code cout} (16 at width 0.25) and writes and reads back a column matrix nine times the
 * size of the image; here each image's source is copied once into a zero-bordered scratch plane, and a register
 * block of 4 destination channels × 4 SIMD vectors accumulates over every source channel and tap before touching
 * the destination. Per tap that is 4 loads of the source and 4 broadcast weights for 16 fused multiply-adds.
 * Checked against {@link Conv2dRef} like every fast convolution path.
 */
final class Conv3x3Simd {
    private static final VectorSpecies<Float> S = Simd.F;
    private static final int L = S.length();
    /** Destination channels per register block. */
    private static final int CB = 4;

    private Conv3x3Simd() {}

    /** Whether this class applies: a 3×3 kernel, stride 1, padding 1, one group. */
    static boolean applies(ConvGeometry g) {
        return g.kh() == 3 && g.kw() == 3 && g.stride() == 1 && g.pad() == 1 && g.groups() == 1;
    }

    /** Overwrites {@code y [n, cout, h, w]} with {@code x [n, cin, h, w]} convolved by {@code w [cout, cin, 3, 3]}. */
    static void forward(float[] y, float[] x, float[] w, ConvGeometry g) {
        int cin = g.cin(), cout = g.cout();
        // The kernel reads tap (ky, kx) at source offset (1 − ky, 1 − kx): the forward pass takes tap 8 − tap.
        float[] wr = rearranged(cout, cin, (d, s, tap) -> w[(d * cin + s) * 9 + 8 - tap]);
        correlate(y, false, x, wr, g.n(), cin, cout, g.h(), g.w());
        Arena.giveBack(wr);
    }

    /** {@code dx [n, cin, h, w] += ∂L/∂x} from {@code dy [n, cout, h, w]} and {@code w [cout, cin, 3, 3]}. */
    static void backwardInput(float[] dx, float[] dy, float[] w, ConvGeometry g) {
        int cin = g.cin(), cout = g.cout();
        float[] wr = rearranged(cin, cout, (d, s, tap) -> w[(s * cin + d) * 9 + tap]);
        correlate(dx, true, dy, wr, g.n(), cout, cin, g.h(), g.w());
        Arena.giveBack(wr);
    }

    /**
     * {@code dw [cout, cin, 3, 3] += ∂L/∂w} from {@code dy [n, cout, h, w]} and the float input {@code x [n, cin, h,
     * w]}: per (output, input) channel pair, nine dot products of {@code dY} with {@code X} shifted by each tap. The
     * GEMM path multiplies {@code dY} by the transposed column matrix, whose packing costs more than the arithmetic
     * at these channel counts. Here both images are laid out flat on rows of {@code w + 2}: {@code X} with its zero
     * border, {@code dY} with two zero columns per row. A tap's shift is then one offset into the flat plane, and
     * the dot products run over whole planes in full vectors, across row ends (where {@code dY}'s zeros cancel what
     * the shift wraps in), so short rows (8×10, 16×20) waste only their two zero columns. Each task owns its pairs'
     * weights and sums images and lanes in one fixed order, so the result does not depend on the thread count.
     */
    static void backwardWeight(float[] dw, float[] dy, float[] x, ConvGeometry g) {
        int n = g.n(), cin = g.cin(), cout = g.cout(), h = g.h(), wi = g.w();
        int pw = wi + 2, plane = (h + 2) * pw; // a padded input plane
        int flat = FlatPlanes.length(h, wi); // a dY plane on rows of pw
        float[] xp = Arena.floats(n * cin * plane + 2 * L); // the last plane's reads end at most L + 1 past it
        float[] dyp = Arena.floats(n * cout * flat);
        Parallel.forEach(n, (worker, from, to) -> {
            for (int i = from; i < to; i++) {
                padImage(xp, i * cin * plane, x, i * cin * h * wi, cin, h, wi, pw);
                for (int c = 0; c < cout; c++)
                    FlatPlanes.fromRows(dyp, (i * cout + c) * flat, dy, (i * cout + c) * h * wi, h, wi);
            }
        });
        java.util.Arrays.fill(xp, n * cin * plane, xp.length, 0f);
        int pairs = (cout + 1) / 2;
        Parallel.forEach(pairs * cin, (worker, from, to) -> {
            float[] lanes = Scratch.floats(5, L); // the lane sums, in lane order (Simd.sum)
            for (int task = from; task < to; task++)
                weightPair(dw, dyp, xp, lanes, task / cin * 2, task % cin, n, cin, cout, flat, plane, pw);
        });
        Arena.giveBack(xp);
        Arena.giveBack(dyp);
    }

    /** The nine weight gradients of output channels {@code co} and {@code co + 1} (if any) and input {@code ci}. */
    private static void weightPair(
            float[] dw,
            float[] dyp,
            float[] xp,
            float[] lanes,
            int co,
            int ci,
            int n,
            int cin,
            int cout,
            int flat,
            int plane,
            int pw) {
        boolean two = co + 1 < cout;
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0;
        FloatVector b0 = a0, b1 = a0, b2 = a0, b3 = a0, b4 = a0, b5 = a0, b6 = a0, b7 = a0, b8 = a0;
        for (int i = 0; i < n; i++) {
            int d0 = (i * cout + co) * flat, d1 = two ? d0 + flat : d0;
            // Output position q reads tap (ky, kx) at padded position q + ky·pw + kx.
            int r0 = (i * cin + ci) * plane, r1 = r0 + pw, r2 = r1 + pw;
            for (int v = 0; v < flat; v += L) {
                FloatVector p = FloatVector.fromArray(S, dyp, d0 + v), q = FloatVector.fromArray(S, dyp, d1 + v);
                FloatVector t = FloatVector.fromArray(S, xp, r0 + v);
                a0 = t.fma(p, a0);
                b0 = t.fma(q, b0);
                t = FloatVector.fromArray(S, xp, r0 + v + 1);
                a1 = t.fma(p, a1);
                b1 = t.fma(q, b1);
                t = FloatVector.fromArray(S, xp, r0 + v + 2);
                a2 = t.fma(p, a2);
                b2 = t.fma(q, b2);
                t = FloatVector.fromArray(S, xp, r1 + v);
                a3 = t.fma(p, a3);
                b3 = t.fma(q, b3);
                t = FloatVector.fromArray(S, xp, r1 + v + 1);
                a4 = t.fma(p, a4);
                b4 = t.fma(q, b4);
                t = FloatVector.fromArray(S, xp, r1 + v + 2);
                a5 = t.fma(p, a5);
                b5 = t.fma(q, b5);
                t = FloatVector.fromArray(S, xp, r2 + v);
                a6 = t.fma(p, a6);
                b6 = t.fma(q, b6);
                t = FloatVector.fromArray(S, xp, r2 + v + 1);
                a7 = t.fma(p, a7);
                b7 = t.fma(q, b7);
                t = FloatVector.fromArray(S, xp, r2 + v + 2);
                a8 = t.fma(p, a8);
                b8 = t.fma(q, b8);
            }
        }
        // Named registers, no array of vectors: an array would box them. The lanes are summed in lane order:
        // reduceLanes leaves the order open, and the interpreter and the compiled code differ in it.
        int at = (co * cin + ci) * 9;
        dw[at] += Simd.sum(a0, lanes);
        dw[at + 1] += Simd.sum(a1, lanes);
        dw[at + 2] += Simd.sum(a2, lanes);
        dw[at + 3] += Simd.sum(a3, lanes);
        dw[at + 4] += Simd.sum(a4, lanes);
        dw[at + 5] += Simd.sum(a5, lanes);
        dw[at + 6] += Simd.sum(a6, lanes);
        dw[at + 7] += Simd.sum(a7, lanes);
        dw[at + 8] += Simd.sum(a8, lanes);
        if (!two) return;
        at += cin * 9;
        dw[at] += Simd.sum(b0, lanes);
        dw[at + 1] += Simd.sum(b1, lanes);
        dw[at + 2] += Simd.sum(b2, lanes);
        dw[at + 3] += Simd.sum(b3, lanes);
        dw[at + 4] += Simd.sum(b4, lanes);
        dw[at + 5] += Simd.sum(b5, lanes);
        dw[at + 6] += Simd.sum(b6, lanes);
        dw[at + 7] += Simd.sum(b7, lanes);
        dw[at + 8] += Simd.sum(b8, lanes);
    }

    /** A weight of the destination channel {@code d}, source channel {@code s} and tap {@code ky·3 + kx}. */
    private interface Tap {
        float at(int d, int s, int tap);
    }

    /** The weights in the kernel's order {@code [block][source][tap][CB]}, zero past the last destination channel. */
    private static float[] rearranged(int dst, int src, Tap weight) {
        int blocks = (dst + CB - 1) / CB;
        float[] wr = Arena.floats(blocks * src * 9 * CB);
        for (int b = 0; b < blocks; b++) {
            for (int s = 0; s < src; s++) {
                for (int tap = 0; tap < 9; tap++) {
                    for (int j = 0; j < CB; j++) {
                        int d = b * CB + j;
                        wr[((b * src + s) * 9 + tap) * CB + j] = d < dst ? weight.at(d, s, tap) : 0f;
                    }
                }
            }
        }
        return wr;
    }

    /**
     * {@code out[d, y, x] (+)= Σ_s Σ_tap wr[d, s, tap] · src[s, y + 1 − ky, x + 1 − kx]} over {@code n} images of
     * {@code h × wi}, adding when {@code add}, else overwriting. The source is laid out flat with its zero border on
     * rows of {@code pw = wi + 2}, and so is the result: position {@code q = y·pw + x} reads tap (ky, kx) at
     * {@code q + (2 − ky)·pw + 2 − kx}, one offset per tap. The vectors run across row ends, and the two columns
     * past each row ({@code x = wi, wi + 1}) are computed and dropped. A row of 10 or 20 would fill one or two
     * vectors of 16 only partly; flat, short rows waste only their two extra columns. Each output sums its sources
     * and taps in one fixed order, so the blocking changes no bit.
     */
    private static void correlate(
            float[] out, boolean add, float[] src, float[] wr, int n, int cSrc, int cDst, int h, int wi) {
        int blocks = (cDst + CB - 1) / CB;
        int pw = wi + 2, plane = (h + 2) * pw;
        int flat = FlatPlanes.length(h, wi), nv = flat / L; // the result's flat plane
        Parallel.forEach(n * blocks, (worker, from, to) -> {
            // [cSrc][h + 2][pw]; the last vectors read at most L + 1 past the last plane, into the slack
            float[] pad = Scratch.floats(2, cSrc * plane + 2 * L);
            float[] acc = Scratch.floats(3, CB * flat); // [CB][flat]: one block's results before the copy out
            int padded = -1; // the image now in pad
            for (int task = from; task < to; task++) {
                int i = task / blocks, b = task % blocks;
                if (i != padded) {
                    padImage(pad, 0, src, i * cSrc * h * wi, cSrc, h, wi, pw);
                    java.util.Arrays.fill(pad, cSrc * plane, cSrc * plane + 2 * L, 0f);
                    padded = i;
                }
                int wAt = b * cSrc * 9 * CB;
                int v = 0;
                for (; v + 4 <= nv; v += 4) block4x4(acc, v * L, flat, pad, plane, pw, wr, wAt, cSrc);
                if (v + 2 <= nv) {
                    block4x2(acc, v * L, flat, pad, plane, pw, wr, wAt, cSrc);
                    v += 2;
                }
                if (v < nv) block4x1(acc, v * L, flat, pad, plane, pw, wr, wAt, cSrc);
                int dN = Math.min(CB, cDst - b * CB);
                for (int j = 0; j < dN; j++)
                    FlatPlanes.toRows(out, (i * cDst + b * CB + j) * h * wi, acc, j * flat, h, wi, add);
            }
        });
    }

    /** {@code pad[c][r][x] = src[c][r − 1][x − 1]}, zero on the border and to the right of the row. */
    private static void padImage(float[] pad, int padAt, float[] src, int srcAt, int channels, int h, int wi, int pw) {
        java.util.Arrays.fill(pad, padAt, padAt + channels * (h + 2) * pw, 0f);
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < h; y++)
                System.arraycopy(src, srcAt + (c * h + y) * wi, pad, padAt + (c * (h + 2) + y + 1) * pw + 1, wi);
        }
    }

    /**
     * Four vectors of the flat result from position {@code q} on, for the {@link #CB} destination channels of one
     * block, into {@code acc[j·planeSize + q ..]}: result position {@code q} reads the padded source at
     * {@code q + (2 − ky)·pw + 2 − kx}. Per tap, 4 loads of the source and 4 broadcast weights feed 16 fused
     * multiply-adds.
     */
    private static void block4x4(
            float[] acc, int q, int planeSize, float[] pad, int plane, int pw, float[] wr, int wAt, int cSrc) {
        FloatVector a00 = FloatVector.zero(S), a01 = a00, a02 = a00, a03 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
        FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        for (int s = 0; s < cSrc; s++) {
            int base = s * plane + q, wc = wAt + s * 9 * CB;
            for (int ky = 0; ky < 3; ky++) {
                int row = base + (2 - ky) * pw + 2;
                for (int kx = 0; kx < 3; kx++) {
                    int r = row - kx;
                    FloatVector d0 = FloatVector.fromArray(S, pad, r), d1 = FloatVector.fromArray(S, pad, r + L);
                    FloatVector d2 = FloatVector.fromArray(S, pad, r + 2 * L);
                    FloatVector d3 = FloatVector.fromArray(S, pad, r + 3 * L);
                    int k = wc + (ky * 3 + kx) * CB;
                    FloatVector w = FloatVector.broadcast(S, wr[k]);
                    a00 = d0.fma(w, a00);
                    a01 = d1.fma(w, a01);
                    a02 = d2.fma(w, a02);
                    a03 = d3.fma(w, a03);
                    w = FloatVector.broadcast(S, wr[k + 1]);
                    a10 = d0.fma(w, a10);
                    a11 = d1.fma(w, a11);
                    a12 = d2.fma(w, a12);
                    a13 = d3.fma(w, a13);
                    w = FloatVector.broadcast(S, wr[k + 2]);
                    a20 = d0.fma(w, a20);
                    a21 = d1.fma(w, a21);
                    a22 = d2.fma(w, a22);
                    a23 = d3.fma(w, a23);
                    w = FloatVector.broadcast(S, wr[k + 3]);
                    a30 = d0.fma(w, a30);
                    a31 = d1.fma(w, a31);
                    a32 = d2.fma(w, a32);
                    a33 = d3.fma(w, a33);
                }
            }
        }
        // Named registers, no array of vectors: an array would box them.
        int at1 = q + planeSize, at2 = at1 + planeSize, at3 = at2 + planeSize;
        a00.intoArray(acc, q);
        a01.intoArray(acc, q + L);
        a02.intoArray(acc, q + 2 * L);
        a03.intoArray(acc, q + 3 * L);
        a10.intoArray(acc, at1);
        a11.intoArray(acc, at1 + L);
        a12.intoArray(acc, at1 + 2 * L);
        a13.intoArray(acc, at1 + 3 * L);
        a20.intoArray(acc, at2);
        a21.intoArray(acc, at2 + L);
        a22.intoArray(acc, at2 + 2 * L);
        a23.intoArray(acc, at2 + 3 * L);
        a30.intoArray(acc, at3);
        a31.intoArray(acc, at3 + L);
        a32.intoArray(acc, at3 + 2 * L);
        a33.intoArray(acc, at3 + 3 * L);
    }

    /** Two vectors, as {@link #block4x4}. */
    private static void block4x2(
            float[] acc, int q, int planeSize, float[] pad, int plane, int pw, float[] wr, int wAt, int cSrc) {
        FloatVector a00 = FloatVector.zero(S), a01 = a00, a10 = a00, a11 = a00;
        FloatVector a20 = a00, a21 = a00, a30 = a00, a31 = a00;
        for (int s = 0; s < cSrc; s++) {
            int base = s * plane + q, wc = wAt + s * 9 * CB;
            for (int ky = 0; ky < 3; ky++) {
                int row = base + (2 - ky) * pw + 2;
                for (int kx = 0; kx < 3; kx++) {
                    FloatVector d0 = FloatVector.fromArray(S, pad, row - kx),
                            d1 = FloatVector.fromArray(S, pad, row - kx + L);
                    int k = wc + (ky * 3 + kx) * CB;
                    FloatVector w0 = FloatVector.broadcast(S, wr[k]), w1 = FloatVector.broadcast(S, wr[k + 1]);
                    FloatVector w2 = FloatVector.broadcast(S, wr[k + 2]), w3 = FloatVector.broadcast(S, wr[k + 3]);
                    a00 = d0.fma(w0, a00);
                    a01 = d1.fma(w0, a01);
                    a10 = d0.fma(w1, a10);
                    a11 = d1.fma(w1, a11);
                    a20 = d0.fma(w2, a20);
                    a21 = d1.fma(w2, a21);
                    a30 = d0.fma(w3, a30);
                    a31 = d1.fma(w3, a31);
                }
            }
        }
        a00.intoArray(acc, q);
        a01.intoArray(acc, q + L);
        a10.intoArray(acc, q + planeSize);
        a11.intoArray(acc, q + planeSize + L);
        a20.intoArray(acc, q + 2 * planeSize);
        a21.intoArray(acc, q + 2 * planeSize + L);
        a30.intoArray(acc, q + 3 * planeSize);
        a31.intoArray(acc, q + 3 * planeSize + L);
    }

    /** One vector (the odd last one), as {@link #block4x4}. */
    private static void block4x1(
            float[] acc, int q, int planeSize, float[] pad, int plane, int pw, float[] wr, int wAt, int cSrc) {
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
        for (int s = 0; s < cSrc; s++) {
            int base = s * plane + q, wc = wAt + s * 9 * CB;
            for (int ky = 0; ky < 3; ky++) {
                int row = base + (2 - ky) * pw + 2;
                for (int kx = 0; kx < 3; kx++) {
                    FloatVector d = FloatVector.fromArray(S, pad, row - kx);
                    int k = wc + (ky * 3 + kx) * CB;
                    a0 = d.fma(FloatVector.broadcast(S, wr[k]), a0);
                    a1 = d.fma(FloatVector.broadcast(S, wr[k + 1]), a1);
                    a2 = d.fma(FloatVector.broadcast(S, wr[k + 2]), a2);
                    a3 = d.fma(FloatVector.broadcast(S, wr[k + 3]), a3);
                }
            }
        }
        a0.intoArray(acc, q);
        a1.intoArray(acc, q + planeSize);
        a2.intoArray(acc, q + 2 * planeSize);
        a3.intoArray(acc, q + 3 * planeSize);
    }
}
