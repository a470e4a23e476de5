package scn.ops;

import scn.backend.Parallel;
import scn.backend.Scratch;
import scn.backend.Simd;
import scn.tensor.ConvGeometry;

/**
 * The fast CPU convolution: depthwise layers go to {@link DepthwiseConvSimd}; 1×1 stride-1 layers are a
 * plain GEMM on the input; 3×3 stride-1 layers are computed directly ({@link Conv3x3Simd}) for their input gradient,
 * and on float inputs for their forward pass and weight gradient; every other shape is im2col in cache-sized chunks
 * of output positions followed by the blocked SIMD GEMM. Work is split over (image, group, chunk) tasks, one thread
 * each, with per-thread scratch buffers. Exactly one of {@code xf}/{@code xb} (float input or byte spikes) is
 * non-null. Backward passes accumulate.
 */
final class Conv2dFast {
    /** Column-buffer budget in floats: 512 KiB, about half of a core's L2. */
    private static final int COLUMN_FLOATS = 1 << 17;

    private Conv2dFast() {}

    /** Output positions per chunk: a multiple of the micro-tile width that keeps the column buffer in budget. */
    private static int chunk(ConvGeometry g) {
        int positions = g.hOut() * g.wOut();
        int nb = Math.max(GemmSimd.NR, COLUMN_FLOATS / g.patch() / GemmSimd.NR * GemmSimd.NR);
        return Math.min(positions, nb);
    }

    static void forward(float[] y, float[] xf, byte[] xb, float[] w, ConvGeometry g) {
        if (g.isDepthwise()) {
            DepthwiseConvSimd.forward(y, xf, xb, w, g);
            return;
        }
        if (batchesPointwise(g, xf)) {
            pointwiseBatchedForward(y, xf, w, g);
            return;
        }
        if (xf != null && Conv3x3Simd.applies(g)) {
            Conv3x3Simd.forward(y, xf, w, g);
            return;
        }
        int hwOut = g.hOut() * g.wOut(), hwIn = g.h() * g.w(), patch = g.patch();
        int coutG = g.coutPerGroup(), cinG = g.cinPerGroup();
        int nb = chunk(g), chunks = Gemm.ceilDiv(hwOut, nb);
        boolean direct = g.isPointwise() && xf != null;
        Parallel.forEach(g.n() * g.groups() * chunks, (worker, from, to) -> {
            float[] col = direct ? null : Scratch.floats(0, patch * nb);
            for (int task = from; task < to; task++) {
                int n = task / (g.groups() * chunks), grp = task / chunks % g.groups(), p0 = task % chunks * nb;
                int len = Math.min(nb, hwOut - p0);
                int xAt = (n * g.cin() + grp * cinG) * hwIn;
                Mat a = Mat.rowMajor(w, grp * coutG * patch, patch);
                Mat b;
                if (direct) {
                    b = Mat.rowMajor(xf, xAt + p0, hwIn);
                } else {
                    Im2col.fill(col, xf, xb, xAt, g, p0, len);
                    b = Mat.rowMajor(col, 0, len);
                }
                Gemm.gemmSerial(coutG, len, patch, a, b, y, (n * g.cout() + grp * coutG) * hwOut + p0, hwOut, false);
            }
        });
    }

    static void backwardInput(float[] dx, float[] dy, float[] w, ConvGeometry g) {
        if (g.isDepthwise()) {
            DepthwiseConvSimd.backwardInput(dx, dy, w, g);
            return;
        }
        if (batchesPointwise(g, dx)) {
            pointwiseBatchedBackwardInput(dx, dy, w, g);
            return;
        }
        if (Conv3x3Simd.applies(g)) {
            Conv3x3Simd.backwardInput(dx, dy, w, g);
            return;
        }
        int hwOut = g.hOut() * g.wOut(), hwIn = g.h() * g.w(), patch = g.patch();
        int coutG = g.coutPerGroup(), cinG = g.cinPerGroup();
        int nb = chunk(g), chunks = Gemm.ceilDiv(hwOut, nb);
        if (g.isPointwise()) {
            // dX[cinG × positions] += Wᵀ[cinG × coutG] · dY[coutG × positions]; chunks write disjoint columns.
            Parallel.forEach(g.n() * g.groups() * chunks, (worker, from, to) -> {
                for (int task = from; task < to; task++) {
                    int n = task / (g.groups() * chunks), grp = task / chunks % g.groups(), p0 = task % chunks * nb;
                    int len = Math.min(nb, hwOut - p0);
                    Mat wT = Mat.transposed(w, grp * coutG * patch, patch);
                    Mat dyChunk = Mat.rowMajor(dy, (n * g.cout() + grp * coutG) * hwOut + p0, hwOut);
                    Gemm.gemmSerial(
                            cinG, len, coutG, wT, dyChunk, dx, (n * g.cin() + grp * cinG) * hwIn + p0, hwIn, true);
                }
            });
            return;
        }
        // Chunks of one image overlap in dX (neighbouring receptive fields), so tasks are whole images.
        Parallel.forEach(g.n() * g.groups(), (worker, from, to) -> {
            float[] dcol = Scratch.floats(1, patch * nb);
            for (int task = from; task < to; task++) {
                int n = task / g.groups(), grp = task % g.groups();
                Mat wT = Mat.transposed(w, grp * coutG * patch, patch);
                for (int p0 = 0; p0 < hwOut; p0 += nb) {
                    int len = Math.min(nb, hwOut - p0);
                    Mat dyChunk = Mat.rowMajor(dy, (n * g.cout() + grp * coutG) * hwOut + p0, hwOut);
                    Gemm.gemmSerial(patch, len, coutG, wT, dyChunk, dcol, 0, len, false);
                    Im2col.scatterAdd(dx, (n * g.cin() + grp * cinG) * hwIn, dcol, g, p0, len);
                }
            }
        });
    }

    static void backwardWeight(float[] dw, float[] dy, float[] xf, byte[] xb, ConvGeometry g) {
        if (g.isDepthwise()) {
            DepthwiseConvSimd.backwardWeight(dw, dy, xf, xb, g);
            return;
        }
        if (batchesPointwise(g, xf)) {
            pointwiseBatchedBackwardWeight(dw, dy, xf, g);
            return;
        }
        if (xf != null && Conv3x3Simd.applies(g)) {
            Conv3x3Simd.backwardWeight(dw, dy, xf, g);
            return;
        }
        int hwOut = g.hOut() * g.wOut(), hwIn = g.h() * g.w(), patch = g.patch();
        int coutG = g.coutPerGroup(), cinG = g.cinPerGroup();
        int nb = chunk(g), chunks = Gemm.ceilDiv(hwOut, nb);
        boolean direct = g.isPointwise() && xf != null;
        int wSize = g.cout() * g.patch(); // [cout, cin/g, kh, kw]
        // Tasks of different images add into the same dW: each worker sums into its own copy, reduced below.
        float[][] partials = new float[Parallel.threads()][];
        Parallel.forEach(g.n() * g.groups() * chunks, (worker, from, to) -> {
            float[] partial = Scratch.floats(2, wSize);
            java.util.Arrays.fill(partial, 0, wSize, 0f);
            partials[worker] = partial;
            float[] col = direct ? null : Scratch.floats(0, patch * nb);
            for (int task = from; task < to; task++) {
                int n = task / (g.groups() * chunks), grp = task / chunks % g.groups(), p0 = task % chunks * nb;
                int len = Math.min(nb, hwOut - p0);
                int xAt = (n * g.cin() + grp * cinG) * hwIn;
                Mat colT;
                if (direct) {
                    colT = Mat.transposed(xf, xAt + p0, hwIn);
                } else {
                    Im2col.fill(col, xf, xb, xAt, g, p0, len);
                    colT = Mat.transposed(col, 0, len);
                }
                Mat dyChunk = Mat.rowMajor(dy, (n * g.cout() + grp * coutG) * hwOut + p0, hwOut);
                Gemm.gemmSerial(coutG, patch, len, dyChunk, colT, partial, grp * coutG * patch, patch, true);
            }
        });
        for (float[] partial : partials) {
            if (partial == null) continue;
            for (int i = 0; i < wSize; i++) dw[i] += partial[i];
        }
    }

    /** Below this many positions per image a 1×1 layer's images are joined into one product. */
    private static final int SMALL_PLANE = 512;

    /**
     * A 1×1 stride-1 layer on small maps (the 8×10 and 16×20 stages): one GEMM per image would have a
     * product width of only H·W, too narrow for the micro-kernel and for splitting over threads, so the
     * images' columns are gathered side by side into one {@code [C, N·H·W]} matrix first.
     */
    private static boolean batchesPointwise(ConvGeometry g, float[] floatInput) {
        return g.isPointwise() && floatInput != null && g.n() > 1 && g.h() * g.w() < SMALL_PLANE;
    }

    /**
     * {@code to[c][i·hw + p] = from[i][channel0 + c][p]}: the group's channels of every image, side by side. The
     * copies, and those of {@link #scatter}, are split over the threads by image: on one thread they took a tenth of
     * these layers' time.
     */
    private static void gather(
            float[] to, float[] from, ConvGeometry g, int channels, int channelsTotal, int channel0) {
        int hw = g.h() * g.w(), n = g.n();
        Parallel.forEach(n, (worker, first, end) -> {
            for (int i = first; i < end; i++) {
                for (int c = 0; c < channels; c++)
                    System.arraycopy(from, ((i * channelsTotal) + channel0 + c) * hw, to, (c * n + i) * hw, hw);
            }
        });
    }

    /** {@code to[i][channel0 + c][p] (+)= from[c][i·hw + p]}, the inverse of {@link #gather}, adding when {@code add}. */
    private static void scatter(
            float[] to, float[] from, ConvGeometry g, int channels, int channelsTotal, int channel0, boolean add) {
        int hw = g.h() * g.w(), n = g.n();
        Parallel.forEach(n, (worker, first, end) -> {
            for (int i = first; i < end; i++) {
                for (int c = 0; c < channels; c++) {
                    int dst = (i * channelsTotal + channel0 + c) * hw, src = (c * n + i) * hw;
                    if (add) Simd.addInto(to, dst, from, src, hw);
                    else System.arraycopy(from, src, to, dst, hw);
                }
            }
        });
    }

    private static void pointwiseBatchedForward(float[] y, float[] xf, float[] w, ConvGeometry g) {
        int n = g.n(), hw = g.h() * g.w(), cinG = g.cinPerGroup(), coutG = g.coutPerGroup();
        float[] xs = Scratch.floats(4, cinG * n * hw); // [cinG, N·hw]
        float[] ys = Scratch.floats(5, coutG * n * hw); // [coutG, N·hw]
        for (int grp = 0; grp < g.groups(); grp++) {
            gather(xs, xf, g, cinG, g.cin(), grp * cinG);
            Gemm.gemm(
                    coutG,
                    n * hw,
                    cinG,
                    Mat.rowMajor(w, grp * coutG * cinG, cinG),
                    Mat.rowMajor(xs, 0, n * hw),
                    ys,
                    0,
                    n * hw,
                    false);
            scatter(y, ys, g, coutG, g.cout(), grp * coutG, false);
        }
    }

    private static void pointwiseBatchedBackwardInput(float[] dx, float[] dy, float[] w, ConvGeometry g) {
        int n = g.n(), hw = g.h() * g.w(), cinG = g.cinPerGroup(), coutG = g.coutPerGroup();
        float[] dys = Scratch.floats(4, coutG * n * hw); // [coutG, N·hw]
        float[] dxs = Scratch.floats(5, cinG * n * hw); // [cinG, N·hw]
        for (int grp = 0; grp < g.groups(); grp++) {
            gather(dys, dy, g, coutG, g.cout(), grp * coutG);
            Gemm.gemm(
                    cinG,
                    n * hw,
                    coutG,
                    Mat.transposed(w, grp * coutG * cinG, cinG),
                    Mat.rowMajor(dys, 0, n * hw),
                    dxs,
                    0,
                    n * hw,
                    false);
            scatter(dx, dxs, g, cinG, g.cin(), grp * cinG, true);
        }
    }

    private static void pointwiseBatchedBackwardWeight(float[] dw, float[] dy, float[] xf, ConvGeometry g) {
        int n = g.n(), hw = g.h() * g.w(), cinG = g.cinPerGroup(), coutG = g.coutPerGroup();
        float[] dys = Scratch.floats(4, coutG * n * hw); // [coutG, N·hw]
        float[] xs = Scratch.floats(5, cinG * n * hw); // [cinG, N·hw]
        for (int grp = 0; grp < g.groups(); grp++) {
            gather(dys, dy, g, coutG, g.cout(), grp * coutG);
            gather(xs, xf, g, cinG, g.cin(), grp * cinG);
            // dW[coutG × cinG] += dY[coutG × N·hw] · Xᵀ[N·hw × cinG]
            Gemm.gemm(
                    coutG,
                    cinG,
                    n * hw,
                    Mat.rowMajor(dys, 0, n * hw),
                    Mat.transposed(xs, 0, n * hw),
                    dw,
                    grp * coutG * cinG,
                    cinG,
                    true);
        }
    }
}
