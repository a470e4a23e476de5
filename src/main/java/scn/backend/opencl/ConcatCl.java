package scn.backend.opencl;

import scn.backend.DeviceBuffer.Type;

/**
 * Channel concatenation on the device ({@code concat.cl}), twin of {@link scn.ops.Concat}:
 * {@code a [N, Ca, H, W] ⊕ b [N, Cb, H, W] → y [N, Ca+Cb, H, W]}, described here by the per-sample
 * sizes {@code sa = Ca·H·W} and {@code sb = Cb·H·W}.
 */
public final class ConcatCl {
    private ConcatCl() {}

    /** {@code y = [a, b]} along channels; all three float or all three uint8 spikes. */
    public static void forward(ClBuffer y, ClBuffer a, ClBuffer b, int n, int sa, int sb) {
        String op = "concat forward";
        if (a.type() != Type.FLOAT32 && a.type() != Type.UINT8)
            throw new IllegalArgumentException(op + ": inputs must be FLOAT32 or UINT8, are " + a.type());
        a.require(op, "a", a.type(), (long) n * sa);
        b.require(op, "b", a.type(), (long) n * sb);
        y.require(op, "y", a.type(), (long) n * (sa + sb));
        ClKernel k =
                y.device().kernel("concat", "concat_forwardPart", a.type() == Type.UINT8 ? "-DT=uchar" : "-DT=float");
        k.launch1d((long) n * sa, y, a, n, sa, 0, sa + sb);
        k.launch1d((long) n * sb, y, b, n, sb, sa, sa + sb);
    }

    /** {@code da += dy[:, :Ca]}, {@code db += dy[:, Ca:]}; either may be null. */
    public static void backward(ClBuffer da, ClBuffer db, ClBuffer dy, int n, int sa, int sb) {
        String op = "concat backward";
        dy.require(op, "dy", Type.FLOAT32, (long) n * (sa + sb));
        ClKernel k = dy.device().kernel("concat", "concat_backwardPart", "-DT=float");
        if (da != null)
            k.launch1d((long) n * sa, da.require(op, "da", Type.FLOAT32, (long) n * sa), dy, n, sa, 0, sa + sb);
        if (db != null)
            k.launch1d((long) n * sb, db.require(op, "db", Type.FLOAT32, (long) n * sb), dy, n, sb, sa, sa + sb);
    }
}
