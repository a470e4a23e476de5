package scn.ops;

import scn.backend.Kernels;
import scn.backend.Parallel;

/**
 * {@code C[M×N] (+)= A[M×K] · B[K×N]}: the entry every matrix product goes through.
 *
 * <p>Dispatches to {@link GemmRef} when references are forced, else to {@link GemmSimd}. Over several threads, C is
 * split by rows in whole micro-tiles and each block of B is packed once, shared ({@link #sharedPanels}); a product
 * with too few rows for that is split by columns, each thread packing its own part of B and all of A. Either way
 * every element of C is summed in the same order as on one thread. {@link #gemmSerial} is for callers that are
 * already parallel (one image per thread in the convolutions).
 */
public final class Gemm {
    /** Below this many multiply-adds a second thread costs more than it saves. */
    private static final long PARALLEL_MIN_WORK = 1L << 18;

    private Gemm() {}

    /** Multithreaded product; {@code accumulate} adds to C instead of overwriting it. */
    public static void gemm(int m, int n, int k, Mat a, Mat b, float[] c, int cOff, int ldc, boolean accumulate) {
        if (Kernels.reference()) {
            GemmRef.gemm(m, n, k, a, b, c, cOff, ldc, accumulate);
            return;
        }
        int threads = Parallel.threads();
        if (threads == 1 || (long) m * n * k < PARALLEL_MIN_WORK) {
            GemmSimd.gemm(m, n, k, a, b, c, cOff, ldc, accumulate);
            return;
        }
        int rowTiles = ceilDiv(m, GemmSimd.MR);
        if (rowTiles >= 4 * threads) {
            sharedPanels(m, n, k, a, b, c, cOff, ldc, accumulate, threads, rowTiles);
            return;
        }
        int tiles = ceilDiv(n, GemmSimd.NR);
        Parallel.forEach(Math.min(threads, tiles), (w, from, to) -> {
            for (int part = from; part < to; part++) {
                int j0 = tiles * part / Math.min(threads, tiles) * GemmSimd.NR;
                int j1 = Math.min(n, tiles * (part + 1) / Math.min(threads, tiles) * GemmSimd.NR);
                Mat bPart = new Mat(b.data(), b.offset() + j0 * b.colStride(), b.rowStride(), b.colStride());
                GemmSimd.gemm(m, j1 - j0, k, a, bPart, c, cOff + j0, ldc, accumulate);
            }
        });
    }

    /** The packed B block the calling thread's workers share ({@link #sharedPanels}). */
    private static final ThreadLocal<float[]> SHARED_B =
            ThreadLocal.withInitial(() -> new float[GemmSimd.KC * GemmSimd.NC]);

    /**
     * The rows of C split over the threads, with each block of B packed once, by all of them, into one buffer they
     * then all read. Giving each thread its own whole product instead made every thread pack all of B: on the
     * 1×1 layer 768→1152 on 8×10 maps, a tenth of each thread's time went to packing what the other thread packed
     * too.
     */
    private static void sharedPanels(
            int m,
            int n,
            int k,
            Mat a,
            Mat b,
            float[] c,
            int cOff,
            int ldc,
            boolean accumulate,
            int threads,
            int rowTiles) {
        float[] packed = SHARED_B.get();
        for (int jc = 0; jc < n; jc += GemmSimd.NC) {
            int nc = Math.min(GemmSimd.NC, n - jc), j = jc;
            for (int pc = 0; pc < k; pc += GemmSimd.KC) {
                int kc = Math.min(GemmSimd.KC, k - pc), p = pc;
                boolean add = accumulate || pc > 0;
                Parallel.forEach(
                        ceilDiv(nc, GemmSimd.NR), (w, from, to) -> GemmSimd.packB(b, p, j, kc, nc, from, to, packed));
                Parallel.forEach(threads, (w, from, to) -> {
                    for (int part = from; part < to; part++) {
                        int i0 = rowTiles * part / threads * GemmSimd.MR;
                        int i1 = Math.min(m, rowTiles * (part + 1) / threads * GemmSimd.MR);
                        GemmSimd.rows(i0, i1, a, p, kc, packed, j, nc, c, cOff, ldc, add);
                    }
                });
            }
        }
    }

    /** Single-threaded product on the calling thread (reference or SIMD per the switch). */
    public static void gemmSerial(int m, int n, int k, Mat a, Mat b, float[] c, int cOff, int ldc, boolean accumulate) {
        if (Kernels.reference()) {
            GemmRef.gemm(m, n, k, a, b, c, cOff, ldc, accumulate);
        } else {
            GemmSimd.gemm(m, n, k, a, b, c, cOff, ldc, accumulate);
        }
    }

    static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
