package scn.backend.opencl;

import scn.backend.Device;
import scn.backend.DeviceBuffer.Type;

/**
 * Batch norm on the device ({@code batchnorm2d.cl}), twin of {@link scn.ops.BatchNorm2dRef}: same
 * arguments, same meaning, buffers for arrays. {@code x [N, C, HW]}; per-channel buffers {@code [C]}.
 * The per-channel sums are two-stage work-group reductions (see the kernel file), so results do not
 * depend on scheduling.
 */
public final class BatchNorm2dCl {
    /** Elements of one channel that one work-group of the partial pass reduces, per work-item. */
    private static final int PER_ITEM = 16;

    private BatchNorm2dCl() {}

    /** Training forward: writes {@code y}, {@code mean}, {@code invStd}; updates {@code runMean}, {@code runVar}. */
    public static void forwardTrain(
            ClBuffer y,
            ClBuffer x,
            ClBuffer gamma,
            ClBuffer beta,
            ClBuffer runMean,
            ClBuffer runVar,
            ClBuffer mean,
            ClBuffer invStd,
            int n,
            int c,
            int hw,
            float momentum,
            float eps) {
        String op = "batch_norm forward";
        long total = check(op, y, x, n, c, hw);
        for (ClBuffer b : new ClBuffer[] {gamma, beta, runMean, runVar, mean, invStd})
            b.require(op, "channel vector", Type.FLOAT32, c);
        ClDevice dev = y.device();
        ClBuffer partial = partials(dev, "batchnorm2d_partialStats", n, c, hw, x);
        ClKernel fin = dev.kernel("batchnorm2d", "batchnorm2d_finalizeTrain", "");
        int local = fin.localPow2();
        fin.launch(
                new long[] {(long) c * local},
                new long[] {local},
                mean,
                invStd,
                runMean,
                runVar,
                partial,
                x,
                chunks(dev, n, hw),
                hw,
                n * hw,
                momentum,
                eps,
                new Device.Local(4L * local),
                new Device.Local(4L * local));
        dev.kernel("batchnorm2d", "batchnorm2d_apply", "")
                .launch1d(total, y, x, gamma, beta, mean, invStd, c, hw, (int) total);
    }

    /** Evaluation forward with the running statistics; writes {@code y}. */
    public static void forwardEval(
            ClBuffer y,
            ClBuffer x,
            ClBuffer gamma,
            ClBuffer beta,
            ClBuffer runMean,
            ClBuffer runVar,
            int n,
            int c,
            int hw,
            float eps) {
        String op = "batch_norm eval";
        long total = check(op, y, x, n, c, hw);
        for (ClBuffer b : new ClBuffer[] {gamma, beta, runMean, runVar})
            b.require(op, "channel vector", Type.FLOAT32, c);
        y.device()
                .kernel("batchnorm2d", "batchnorm2d_forwardEval", "")
                .launch1d(total, y, x, gamma, beta, runMean, runVar, c, hw, (int) total, eps);
    }

    /**
     * Backward of either mode: {@code dx += …}, {@code dGamma += Σ dy·x̂}, {@code dBeta += Σ dy}; any of
     * the three may be null. {@code batchStats} as in the reference.
     */
    public static void backward(
            ClBuffer dx,
            ClBuffer dGamma,
            ClBuffer dBeta,
            ClBuffer dy,
            ClBuffer x,
            ClBuffer gamma,
            ClBuffer mean,
            ClBuffer invStd,
            int n,
            int c,
            int hw,
            boolean batchStats) {
        String op = "batch_norm backward";
        long total = check(op, dy, x, n, c, hw);
        for (ClBuffer b : new ClBuffer[] {gamma, mean, invStd, dGamma, dBeta})
            if (b != null) b.require(op, "channel vector", Type.FLOAT32, c);
        ClDevice dev = dy.device();
        ClBuffer partial = partials(dev, "batchnorm2d_backwardPartial", n, c, hw, dy, x, mean, invStd);
        ClBuffer sums = dev.scratch("batchnorm2d.sums", Type.FLOAT32, 2L * c); // [C, 2]: Σ dy, Σ dy·x̂
        ClKernel fin = dev.kernel("batchnorm2d", "batchnorm2d_backwardFinalize", "");
        int local = fin.localPow2();
        fin.launch(
                new long[] {(long) c * local},
                new long[] {local},
                sums,
                dGamma,
                dBeta,
                partial,
                chunks(dev, n, hw),
                new Device.Local(4L * local),
                new Device.Local(4L * local));
        if (dx == null) return;
        dx.require(op, "dx", Type.FLOAT32, total);
        dev.kernel("batchnorm2d", "batchnorm2d_backwardInput", "")
                .launch1d(total, dx, dy, x, gamma, mean, invStd, sums, c, hw, (int) total, n * hw, batchStats ? 1 : 0);
    }

    /** Runs a partial-sum kernel over (chunk, channel) work-groups into a scratch buffer {@code [C, chunks, 2]}. */
    private static ClBuffer partials(ClDevice dev, String kernel, int n, int c, int hw, ClBuffer... inputs) {
        ClKernel k = dev.kernel("batchnorm2d", kernel, "");
        int local = localOf(dev), chunks = chunks(dev, n, hw);
        ClBuffer partial = dev.scratch("batchnorm2d.partial", Type.FLOAT32, 2L * c * chunks);
        Object[] args = new Object[inputs.length + 7]; // partial, inputs, n, c, hw, chunkLen, two local arrays
        args[0] = partial;
        System.arraycopy(inputs, 0, args, 1, inputs.length);
        int a = inputs.length + 1;
        args[a++] = n;
        args[a++] = c;
        args[a++] = hw;
        args[a++] = local * PER_ITEM;
        args[a++] = new Device.Local(4L * local);
        args[a] = new Device.Local(4L * local);
        k.launch(new long[] {(long) chunks * local, c}, new long[] {local, 1}, args);
        return partial;
    }

    /** Chunks per channel for the partial passes: each work-group reduces {@code local × PER_ITEM} elements. */
    private static int chunks(ClDevice dev, int n, int hw) {
        long perChunk = (long) localOf(dev) * PER_ITEM;
        return (int) Math.max(1, ((long) n * hw + perChunk - 1) / perChunk);
    }

    /** One local size for both partial kernels, so a chunk means the same number of elements in both passes. */
    private static int localOf(ClDevice dev) {
        return Math.min(
                dev.kernel("batchnorm2d", "batchnorm2d_partialStats", "").localPow2(),
                dev.kernel("batchnorm2d", "batchnorm2d_backwardPartial", "").localPow2());
    }

    private static long check(String op, ClBuffer out, ClBuffer x, int n, int c, int hw) {
        long total = (long) n * c * hw;
        if (n < 1 || c < 1 || hw < 1)
            throw new IllegalArgumentException(op + ": empty input [" + n + ", " + c + ", " + hw + "]");
        out.require(op, "output", Type.FLOAT32, total);
        x.require(op, "x", Type.FLOAT32, total);
        return total;
    }
}
