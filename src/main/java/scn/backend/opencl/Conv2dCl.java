package scn.backend.opencl;

import scn.backend.Device;
import scn.backend.DeviceBuffer.Type;
import scn.tensor.ConvGeometry;

/**
 * 2-D convolution on the device, twin of {@link scn.ops.Conv2dRef} (kernels in {@code conv2d.cl} and
 * {@code gemm.cl}). The path is chosen per shape: depthwise convolutions run direct kernels; a 1×1,
 * stride-1 convolution on float input is a batched GEMM on the activations as they lie; everything else
 * goes through im2col + GEMM, a chunk of samples at a time so the column buffer stays bounded.
 *
 * <p>The forward input may be float activations or uint8 spikes; gradients are float. Backward passes
 * accumulate ({@code dx +=}, {@code dw +=}) like the reference.
 */
public final class Conv2dCl {
    /** Upper bound on a column buffer, in floats (256 MiB): large enough that a chunk fills a GPU. */
    public static final long COLUMN_FLOATS = 64L << 20;
    /** The build of {@code conv2d.cl} for float input, shared by the kernels that never read spikes. */
    private static final String FLOAT_IN = "-DIN_T=float";

    private Conv2dCl() {}

    /** {@code y = conv(x, w)}; overwrites {@code y [N, Cout, Ho, Wo]}; {@code x [N, Cin, H, W]} float or uint8. */
    public static void forward(ClBuffer y, ClBuffer x, ClBuffer w, ConvGeometry g) {
        forward(y, x, w, g, COLUMN_FLOATS);
    }

    /** {@code dx += convᵀ(dy, w)}. */
    public static void backwardInput(ClBuffer dx, ClBuffer dy, ClBuffer w, ConvGeometry g) {
        backwardInput(dx, dy, w, g, COLUMN_FLOATS);
    }

    /** {@code dw += Σ dy · x} over samples and positions; {@code x} is the forward input, float or uint8. */
    public static void backwardWeight(ClBuffer dw, ClBuffer dy, ClBuffer x, ConvGeometry g) {
        backwardWeight(dw, dy, x, g, COLUMN_FLOATS);
    }

    /**
     * As {@link #forward(ClBuffer, ClBuffer, ClBuffer, ConvGeometry)} with column buffers of at most {@code columnFloats}
     * floats: the kernel checks pass a small bound so that shapes of a few samples still run in several chunks.
     */
    public static void forward(ClBuffer y, ClBuffer x, ClBuffer w, ConvGeometry g, long columnFloats) {
        checkIn("conv2d forward", "x", x, g);
        y.require("conv2d forward", "y", Type.FLOAT32, size(g.outShape()));
        w.require("conv2d forward", "w", Type.FLOAT32, size(g.weightShape()));
        ClDevice dev = y.device();
        int howo = g.hOut() * g.wOut(), hw = g.h() * g.w();
        if (g.isDepthwise()) {
            dev.kernel("conv2d", "conv2d_depthwiseForward", inType(x))
                    .launch1d(
                            (long) g.n() * g.cout() * howo,
                            y,
                            x,
                            w,
                            g.n(),
                            g.cin(),
                            g.h(),
                            g.w(),
                            g.kh(),
                            g.kw(),
                            g.stride(),
                            g.pad(),
                            g.hOut(),
                            g.wOut());
        } else if (g.isPointwise() && g.groups() == 1 && x.type() == Type.FLOAT32) {
            // y[n] [Cout × HW] = w [Cout × Cin] · x[n] [Cin × HW]
            GemmCl.gemmBatched(
                    g.n(),
                    g.cout(),
                    hw,
                    g.cin(),
                    GemmCl.View.rowMajor(w, 0, g.cin()),
                    GemmCl.View.rowMajor(x, 0, hw).batched(g.cin() * hw),
                    y,
                    0,
                    hw,
                    g.cout() * hw,
                    false);
        } else {
            int rows = g.cin() * g.kh() * g.kw(), patch = g.patch(), coutG = g.coutPerGroup();
            int nb = chunk(g.n(), (long) rows * howo, columnFloats);
            ClBuffer col = dev.scratch("conv2d.col", Type.FLOAT32, (long) nb * rows * howo); // [nb, Cin*kh*kw, Ho*Wo]
            for (int n0 = 0; n0 < g.n(); n0 += nb) {
                int cnt = Math.min(nb, g.n() - n0);
                im2col(col, x, g, n0, cnt, rows * howo, howo);
                for (int grp = 0; grp < g.groups(); grp++) {
                    GemmCl.gemmBatched(
                            cnt,
                            coutG,
                            howo,
                            patch,
                            GemmCl.View.rowMajor(w, grp * coutG * patch, patch),
                            GemmCl.View.rowMajor(col, grp * patch * howo, howo).batched(rows * howo),
                            y,
                            (n0 * g.cout() + grp * coutG) * howo,
                            howo,
                            g.cout() * howo,
                            false);
                }
            }
        }
    }

    /** As {@link #backwardInput(ClBuffer, ClBuffer, ClBuffer, ConvGeometry)}, the column buffers bounded as in forward. */
    public static void backwardInput(ClBuffer dx, ClBuffer dy, ClBuffer w, ConvGeometry g, long columnFloats) {
        dx.require("conv2d backward input", "dx", Type.FLOAT32, size(g.inShape()));
        dy.require("conv2d backward input", "dy", Type.FLOAT32, size(g.outShape()));
        w.require("conv2d backward input", "w", Type.FLOAT32, size(g.weightShape()));
        ClDevice dev = dx.device();
        int howo = g.hOut() * g.wOut(), hw = g.h() * g.w();
        if (g.isDepthwise()) {
            dev.kernel("conv2d", "conv2d_depthwiseBackwardInput", FLOAT_IN)
                    .launch1d(
                            (long) g.n() * g.cin() * hw,
                            dx,
                            dy,
                            w,
                            g.n(),
                            g.cin(),
                            g.h(),
                            g.w(),
                            g.kh(),
                            g.kw(),
                            g.stride(),
                            g.pad(),
                            g.hOut(),
                            g.wOut());
        } else if (g.isPointwise() && g.groups() == 1) {
            // dx[n] [Cin × HW] += wᵀ [Cin × Cout] · dy[n] [Cout × HW]
            GemmCl.gemmBatched(
                    g.n(),
                    g.cin(),
                    hw,
                    g.cout(),
                    GemmCl.View.transposed(w, 0, g.cin()),
                    GemmCl.View.rowMajor(dy, 0, hw).batched(g.cout() * hw),
                    dx,
                    0,
                    hw,
                    g.cin() * hw,
                    true);
        } else {
            int rows = g.cin() * g.kh() * g.kw(), patch = g.patch(), coutG = g.coutPerGroup();
            int nb = chunk(g.n(), (long) rows * howo, columnFloats);
            ClBuffer col = dev.scratch("conv2d.col", Type.FLOAT32, (long) nb * rows * howo); // [nb, Cin*kh*kw, Ho*Wo]
            ClKernel col2im = dev.kernel("conv2d", "conv2d_col2im", FLOAT_IN);
            for (int n0 = 0; n0 < g.n(); n0 += nb) {
                int cnt = Math.min(nb, g.n() - n0);
                for (int grp = 0; grp < g.groups(); grp++) {
                    // col[n][group rows] [patch × HoWo] = w_grpᵀ [patch × coutG] · dy[n][group] [coutG × HoWo]
                    GemmCl.gemmBatched(
                            cnt,
                            patch,
                            howo,
                            coutG,
                            GemmCl.View.transposed(w, grp * coutG * patch, patch),
                            GemmCl.View.rowMajor(dy, (n0 * g.cout() + grp * coutG) * howo, howo)
                                    .batched(g.cout() * howo),
                            col,
                            grp * patch * howo,
                            howo,
                            rows * howo,
                            false);
                }
                col2im.launch1d(
                        (long) cnt * g.cin() * hw,
                        dx,
                        col,
                        n0,
                        cnt,
                        g.cin(),
                        g.h(),
                        g.w(),
                        g.kh(),
                        g.kw(),
                        g.stride(),
                        g.pad(),
                        g.hOut(),
                        g.wOut());
            }
        }
    }

    /** As {@link #backwardWeight(ClBuffer, ClBuffer, ClBuffer, ConvGeometry)}, the column buffers bounded as in forward. */
    public static void backwardWeight(ClBuffer dw, ClBuffer dy, ClBuffer x, ConvGeometry g, long columnFloats) {
        checkIn("conv2d backward weight", "x", x, g);
        dw.require("conv2d backward weight", "dw", Type.FLOAT32, size(g.weightShape()));
        dy.require("conv2d backward weight", "dy", Type.FLOAT32, size(g.outShape()));
        ClDevice dev = dw.device();
        int howo = g.hOut() * g.wOut();
        if (g.isDepthwise()) {
            ClKernel k = dev.kernel("conv2d", "conv2d_depthwiseBackwardWeight", inType(x));
            int local = k.localPow2();
            int taps = g.cout() * g.kh() * g.kw();
            k.launch(
                    new long[] {(long) taps * local},
                    new long[] {local},
                    dw,
                    dy,
                    x,
                    g.n(),
                    g.cin(),
                    g.h(),
                    g.w(),
                    g.kh(),
                    g.kw(),
                    g.stride(),
                    g.pad(),
                    g.hOut(),
                    g.wOut(),
                    new Device.Local(4L * local));
            return;
        }
        int rows = g.cin() * g.kh() * g.kw(), patch = g.patch(), coutG = g.coutPerGroup();
        int nb = chunk(g.n(), (long) Math.max(rows, g.cout()) * howo, columnFloats);
        int inner = nb * howo;
        ClBuffer col = dev.scratch("conv2d.col", Type.FLOAT32, (long) rows * inner); // [Cin*kh*kw, nb*Ho*Wo]
        ClBuffer dyT = dev.scratch("conv2d.dyT", Type.FLOAT32, (long) g.cout() * inner); // [Cout, nb*Ho*Wo]
        ClKernel toChannelMajor = dev.kernel("conv2d", "conv2d_toChannelMajor", FLOAT_IN);
        for (int n0 = 0; n0 < g.n(); n0 += nb) {
            int cnt = Math.min(nb, g.n() - n0), k = cnt * howo;
            im2col(col, x, g, n0, cnt, howo, k);
            toChannelMajor.launch1d((long) cnt * g.cout() * howo, dyT, dy, n0, cnt, g.cout(), howo);
            for (int grp = 0; grp < g.groups(); grp++) {
                // dw_grp [coutG × patch] += dyT_grp [coutG × k] · col_grpᵀ [k × patch]
                GemmCl.gemm(
                        coutG,
                        patch,
                        k,
                        GemmCl.View.rowMajor(dyT, grp * coutG * k, k),
                        GemmCl.View.transposed(col, grp * patch * k, k),
                        dw,
                        grp * coutG * patch,
                        patch,
                        true);
            }
        }
    }

    private static void im2col(ClBuffer col, ClBuffer x, ConvGeometry g, int n0, int cnt, int sampleStride, int ld) {
        int rows = g.cin() * g.kh() * g.kw();
        x.device()
                .kernel("conv2d", "conv2d_im2col", inType(x))
                .launch1d(
                        (long) cnt * rows * g.hOut() * g.wOut(),
                        col,
                        x,
                        n0,
                        cnt,
                        g.cin(),
                        g.h(),
                        g.w(),
                        g.kh(),
                        g.kw(),
                        g.stride(),
                        g.pad(),
                        g.hOut(),
                        g.wOut(),
                        sampleStride,
                        ld);
    }

    /** Samples per chunk: as many as fit {@code limit} floats of {@code perSample} each, at least one. */
    private static int chunk(int n, long perSample, long limit) {
        return (int) Math.max(1, Math.min(n, limit / Math.max(1, perSample)));
    }

    private static void checkIn(String op, String arg, ClBuffer x, ConvGeometry g) {
        if (x.type() != Type.FLOAT32 && x.type() != Type.UINT8)
            throw new IllegalArgumentException(op + ": " + arg + " must be FLOAT32 or UINT8 spikes, is " + x.type());
        x.require(op, arg, x.type(), size(g.inShape()));
    }

    /** Build options selecting the input element type of {@code conv2d.cl}. */
    static String inType(ClBuffer x) {
        return x.type() == Type.UINT8 ? "-DIN_T=uchar" : FLOAT_IN;
    }

    static long size(int[] shape) {
        long s = 1;
        for (int d : shape) s *= d;
        return s;
    }
}
