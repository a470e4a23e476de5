package scn.backend.opencl;

import scn.backend.Device;
import scn.backend.DeviceBuffer.Type;

/**
 * A per-channel bias on the device ({@code channelbias.cl}), twin of the bias of
 * {@link scn.autograd.Functional#conv2d(scn.autograd.Var, scn.autograd.Var, scn.autograd.Var, int, int, int)}:
 * activations {@code [N, C, HW]}, bias {@code [C]}.
 */
public final class ChannelBiasCl {
    private ChannelBiasCl() {}

    /** {@code y[n, c, p] += bias[c]}. */
    public static void forward(ClBuffer y, ClBuffer bias, int n, int c, int hw) {
        String op = "channel_bias forward";
        long total = (long) n * c * hw;
        y.require(op, "y", Type.FLOAT32, total);
        bias.require(op, "bias", Type.FLOAT32, c);
        y.device().kernel("channelbias", "channelbias_forward", "").launch1d(total, y, bias, c, hw, (int) total);
    }

    /** {@code db[c] += Σ_{n,p} dy[n, c, p]}. */
    public static void backward(ClBuffer db, ClBuffer dy, int n, int c, int hw) {
        String op = "channel_bias backward";
        dy.require(op, "dy", Type.FLOAT32, (long) n * c * hw);
        db.require(op, "db", Type.FLOAT32, c);
        ClKernel k = db.device().kernel("channelbias", "channelbias_backward", "");
        int local = k.localPow2();
        k.launch(new long[] {(long) c * local}, new long[] {local}, db, dy, n, c, hw, new Device.Local(4L * local));
    }
}
