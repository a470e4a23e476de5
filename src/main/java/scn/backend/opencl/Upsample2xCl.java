package scn.backend.opencl;

import scn.backend.DeviceBuffer.Type;

/** Nearest ×2 upsampling on the device ({@code upsample2x.cl}), twin of {@link scn.ops.Upsample2xRef}. */
public final class Upsample2xCl {
    private Upsample2xCl() {}

    /** {@code y [P, 2H, 2W]} from {@code x [P, H, W]}, both float or both uint8 spikes. */
    public static void forward(ClBuffer y, ClBuffer x, int planes, int h, int w) {
        String op = "upsample2x forward";
        if (x.type() != Type.FLOAT32 && x.type() != Type.UINT8)
            throw new IllegalArgumentException(op + ": x must be FLOAT32 or UINT8, is " + x.type());
        x.require(op, "x", x.type(), (long) planes * h * w);
        y.require(op, "y", x.type(), 4L * planes * h * w);
        y.device()
                .kernel("upsample2x", "upsample2x_forward", x.type() == Type.UINT8 ? "-DT=uchar" : "-DT=float")
                .launch1d(4L * planes * h * w, y, x, planes, h, w);
    }

    /** {@code dx [P, H, W] +=} the four gradients of {@code dy [P, 2H, 2W]} each input fed. */
    public static void backward(ClBuffer dx, ClBuffer dy, int planes, int h, int w) {
        String op = "upsample2x backward";
        dx.require(op, "dx", Type.FLOAT32, (long) planes * h * w);
        dy.require(op, "dy", Type.FLOAT32, 4L * planes * h * w);
        dx.device()
                .kernel("upsample2x", "upsample2x_backward", "-DT=float")
                .launch1d((long) planes * h * w, dx, dy, planes, h, w);
    }
}
