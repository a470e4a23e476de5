package scn.backend.opencl;

import scn.backend.Device;
import scn.backend.DeviceBuffer.Type;

/**
 * The squared L2 norm of a buffer on the device ({@code gradnorm.cl}), twin of the sum of squares in
 * {@link scn.train.AdamW#clipGradNorm}. A training step keeps every gradient in one slab
 * ({@link ClSlab}) and calls this once for the joint norm; the result stays on the device.
 */
public final class GradNormCl {
    private GradNormCl() {}

    /** {@code out[at] = Σ x[0..n)²}. */
    public static void sumSquares(ClBuffer out, int at, ClBuffer x, int n) {
        String op = "grad_norm";
        out.require(op, "out", Type.FLOAT32, at + 1L);
        x.require(op, "x", Type.FLOAT32, n);
        ClDevice dev = x.device();
        ClKernel partial = dev.kernel("gradnorm", "gradnorm_partial", "");
        int local = partial.localPow2();
        // A few work-groups per compute unit fill the device; more would only lengthen stage 2.
        int groups = (int)
                Math.max(1, Math.min((n + local - 1) / local, 4L * dev.info().computeUnits()));
        ClBuffer parts = dev.scratch("gradnorm.partial", Type.FLOAT32, groups); // [groups]
        partial.launch(
                new long[] {(long) groups * local}, new long[] {local}, parts, x, n, new Device.Local(4L * local));
        ClKernel fin = dev.kernel("gradnorm", "gradnorm_final", "");
        int fl = fin.localPow2();
        fin.launch(new long[] {fl}, new long[] {fl}, out, at, parts, groups, new Device.Local(4L * fl));
    }
}
