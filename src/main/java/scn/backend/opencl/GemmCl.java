package scn.backend.opencl;

import scn.backend.DeviceBuffer.Type;

/**
 * The device GEMM ({@code gemm.cl}), twin of {@link scn.ops.GemmRef}: {@code C[b] (+)= A[b]·B[b]} over
 * strided operand views, batched over {@code b}. Convolutions call it for their matrix products.
 */
public final class GemmCl {
    private GemmCl() {}

    /**
     * A strided matrix view inside a device buffer, the device counterpart of {@link scn.ops.Mat}:
     * element {@code (i, j)} is at {@code offset + i*rowStride + j*colStride}, and batch element
     * {@code b} starts {@code b*batchStride} further on.
     */
    public record View(ClBuffer buf, int offset, int rowStride, int colStride, int batchStride) {
        public static View rowMajor(ClBuffer buf, int offset, int ld) {
            return new View(buf, offset, ld, 1, 0);
        }

        public static View transposed(ClBuffer buf, int offset, int ld) {
            return new View(buf, offset, 1, ld, 0);
        }

        public View batched(int stride) {
            return new View(buf, offset, rowStride, colStride, stride);
        }
    }

    /** Work-items per side of a work-group, largest first; the first whose square the kernel allows is used. */
    private static final int[] RTS_CHOICES = {16, 8, 4, 2, 1};

    /** {@code C (+)= A·B} for one product: {@code A [m×k]}, {@code B [k×n]}, {@code C} row-major with {@code ldc}. */
    public static void gemm(int m, int n, int k, View a, View b, ClBuffer c, int cOff, int ldc, boolean accumulate) {
        gemmBatched(1, m, n, k, a, b, c, cOff, ldc, 0, accumulate);
    }

    /**
     * {@code batch} independent products; operand {@code b} of product {@code i} is offset by {@code i*batchStride}.
     */
    public static void gemmBatched(
            int batch,
            int m,
            int n,
            int k,
            View a,
            View b,
            ClBuffer c,
            int cOff,
            int ldc,
            int cBatch,
            boolean accumulate) {
        if (m == 0 || n == 0 || batch == 0) return;
        if (m < 0 || n < 0 || k < 0 || batch < 0)
            throw new IllegalArgumentException("gemm: negative size " + m + "x" + n + "x" + k + " x" + batch);
        checkSpan("A", a, batch, m, k);
        checkSpan("B", b, batch, k, n);
        c.require("gemm", "C", Type.FLOAT32, cOff + (long) (batch - 1) * cBatch + (long) (m - 1) * ldc + n);
        ClDevice dev = c.device();
        ClKernel kernel = null;
        int rts = 0;
        for (int r : RTS_CHOICES) {
            kernel = dev.kernel("gemm", "gemm_tiled", "-DRTS=" + r);
            rts = r;
            if (r * r <= kernel.maxWorkGroupSize()) break;
        }
        int ts = rts * 4; // the tile side: RTS work-items × WPT outputs each (gemm.cl)
        long[] global = {(long) ((n + ts - 1) / ts) * rts, (long) ((m + ts - 1) / ts) * rts, batch};
        kernel.launch(
                global,
                new long[] {rts, rts, 1},
                m,
                n,
                k,
                a.buf(),
                a.offset(),
                a.rowStride(),
                a.colStride(),
                a.batchStride(),
                b.buf(),
                b.offset(),
                b.rowStride(),
                b.colStride(),
                b.batchStride(),
                c,
                cOff,
                ldc,
                cBatch,
                accumulate ? 1 : 0);
    }

    /** The last element a view touches must lie inside its buffer. */
    private static void checkSpan(String name, View v, int batch, int rows, int cols) {
        long last = v.offset()
                + (long) (batch - 1) * v.batchStride()
                + (long) Math.max(rows - 1, 0) * v.rowStride()
                + (long) Math.max(cols - 1, 0) * v.colStride();
        if (rows > 0 && cols > 0) v.buf().require("gemm", name, Type.FLOAT32, last + 1);
    }
}
