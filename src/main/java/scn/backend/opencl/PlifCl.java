package scn.backend.opencl;

import scn.backend.Device;
import scn.backend.DeviceBuffer.Type;

/**
 * The fused multi-step PLIF neuron on the device ({@code plif.cl}), twin of {@link scn.ops.PlifRef}.
 * The learnable scalar {@code w} and its gradient are one-element device buffers, so a training step
 * never reads them back. The program is built once per number of time steps.
 */
public final class PlifCl {
    private PlifCl() {}

    /** Writes the spikes {@code s [T, M]} (uint8, 0 or 1) from {@code x [T, M]}. */
    public static void forward(ClBuffer s, ClBuffer x, int t, int m, ClBuffer w) {
        String op = "plif forward";
        s.require(op, "s", Type.UINT8, (long) t * m);
        x.require(op, "x", Type.FLOAT32, (long) t * m);
        w.require(op, "w", Type.FLOAT32, 1);
        s.device().kernel("plif", "plif_forward", steps(t)).launch1d(m, s, x, w, m);
    }

    /** {@code dx += ∂L/∂x} from spike gradients {@code gs [T, M]}; {@code dw[0] += ∂L/∂w}. */
    public static void backward(ClBuffer dx, ClBuffer dw, ClBuffer gs, ClBuffer x, int t, int m, ClBuffer w) {
        String op = "plif backward";
        dx.require(op, "dx", Type.FLOAT32, (long) t * m);
        gs.require(op, "gs", Type.FLOAT32, (long) t * m);
        x.require(op, "x", Type.FLOAT32, (long) t * m);
        w.require(op, "w", Type.FLOAT32, 1);
        dw.require(op, "dw", Type.FLOAT32, 1);
        if (m == 0) return;
        ClDevice dev = dx.device();
        ClKernel back = dev.kernel("plif", "plif_backward", steps(t));
        int local = back.localPow2();
        int groups = (m + local - 1) / local;
        ClBuffer partial = dev.scratch("plif.partial", Type.FLOAT32, groups); // [groups]
        back.launch(
                new long[] {(long) groups * local},
                new long[] {local},
                dx,
                partial,
                gs,
                x,
                w,
                m,
                new Device.Local(4L * local));
        ClKernel reduce = dev.kernel("plif", "plif_reduceW", steps(t));
        int rl = reduce.localPow2();
        reduce.launch(new long[] {rl}, new long[] {rl}, dw, partial, groups, w, new Device.Local(4L * rl));
    }

    private static String steps(int t) {
        if (t < 1) throw new IllegalArgumentException("plif: time steps must be >= 1, got " + t);
        return "-DT_STEPS=" + t;
    }
}
