package scn.ops;

import scn.backend.Parallel;
import scn.backend.Scratch;

/**
 * The fast CPU convolution: depthwise layers go to {@link DepthwiseConvSimd}; 1×1 stride-1 layers are a
 * plain GEMM on the input; every other shape is im2col in cache-sized chunks of output positions
 * followed by the blocked SIMD GEMM. Work is split over (image, group, chunk) tasks, one thread each,
 * with per-thread scratch buffers. Exactly one of {@code xf}/{@code xb} (float input or byte spikes) is
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
                    Gemm.gemmSerial(cinG, len, coutG, wT, dyChunk, dx, (n * g.cin() + grp * cinG) * hwIn + p0, hwIn, true);
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
        int hwOut = g.hOut() * g.wOut(), hwIn = g.h() * g.w(), patch = g.patch();
        int coutG = g.coutPerGroup(), cinG = g.cinPerGroup();
        int nb = chunk(g), chunks = Gemm.ceilDiv(hwOut, nb);
        boolean direct = g.isPointwise() && xf != null;
        int wSize = dw.length;
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
}
