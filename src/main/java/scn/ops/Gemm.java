package scn.ops;

import scn.backend.Kernels;
import scn.backend.Parallel;

/**
 * {@code C[M×N] (+)= A[M×K] · B[K×N]}: the entry every matrix product goes through.
 *
 * <p>Dispatches to {@link GemmRef} when references are forced, else to {@link GemmSimd}, splitting C
 * among the worker threads along its longer side in whole micro-tiles so each thread packs and
 * computes its own block with no sharing. {@link #gemmSerial} is for callers that are already
 * parallel (one image per thread in the convolutions).
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
        if (n >= m) {
            int tiles = ceilDiv(n, GemmSimd.NR);
            Parallel.forEach(Math.min(threads, tiles), (w, from, to) -> {
                for (int part = from; part < to; part++) {
                    int j0 = tiles * part / Math.min(threads, tiles) * GemmSimd.NR;
                    int j1 = Math.min(n, tiles * (part + 1) / Math.min(threads, tiles) * GemmSimd.NR);
                    Mat bPart = new Mat(b.data(), b.offset() + j0 * b.colStride(), b.rowStride(), b.colStride());
                    GemmSimd.gemm(m, j1 - j0, k, a, bPart, c, cOff + j0, ldc, accumulate);
                }
            });
        } else {
            int tiles = ceilDiv(m, GemmSimd.MR);
            Parallel.forEach(Math.min(threads, tiles), (w, from, to) -> {
                for (int part = from; part < to; part++) {
                    int i0 = tiles * part / Math.min(threads, tiles) * GemmSimd.MR;
                    int i1 = Math.min(m, tiles * (part + 1) / Math.min(threads, tiles) * GemmSimd.MR);
                    Mat aPart = new Mat(a.data(), a.offset() + i0 * a.rowStride(), a.rowStride(), a.colStride());
                    GemmSimd.gemm(i1 - i0, n, k, aPart, b, c, cOff + i0 * ldc, ldc, accumulate);
                }
            });
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
