package scn.backend.opencl;

import scn.backend.DeviceBuffer.Type;

/**
 * Max-pool on the device ({@code maxpool2d.cl}), twin of {@link scn.ops.MaxPool2dRef}: planes
 * {@code [P, H, W]} of float activations or uint8 spikes, the winner's in-plane index kept in an int32
 * buffer for the backward.
 */
public final class MaxPool2dCl {
    private MaxPool2dCl() {}

    /** Output size of a pooling window: {@code floor((n + 2p − k) / s) + 1}. */
    static int out(int n, int k, int s, int p) {
        return (n + 2 * p - k) / s + 1;
    }

    /** Writes {@code y [P, Ho, Wo]} (same type as {@code x}) and {@code argmax [P, Ho, Wo]}. */
    public static void forward(ClBuffer y, ClBuffer argmax, ClBuffer x, int planes, int h, int w, int k, int s, int p) {
        String op = "max_pool2d forward";
        if (k < 1 || s < 1 || p < 0 || 2 * p > k || h + 2 * p < k || w + 2 * p < k) {
            throw new IllegalArgumentException(
                    op + ": kernel " + k + ", stride " + s + ", padding " + p + " do not fit [" + h + ", " + w + "]");
        }
        int ho = out(h, k, s, p), wo = out(w, k, s, p);
        long n = (long) planes * ho * wo;
        if (x.type() != Type.FLOAT32 && x.type() != Type.UINT8)
            throw new IllegalArgumentException(op + ": x must be FLOAT32 or UINT8, is " + x.type());
        x.require(op, "x", x.type(), (long) planes * h * w);
        y.require(op, "y", x.type(), n);
        argmax.require(op, "argmax", Type.INT32, n);
        y.device()
                .kernel("maxpool2d", "maxpool2d_forward", x.type() == Type.UINT8 ? "-DT=uchar" : "-DT=float")
                .launch1d(n, y, argmax, x, planes, h, w, ho, wo, k, s, p);
    }

    /** {@code dx [P, H, W] += dy} routed through {@code argmax}; needs the forward's window to find the candidates. */
    public static void backward(
            ClBuffer dx, ClBuffer dy, ClBuffer argmax, int planes, int h, int w, int k, int s, int p) {
        String op = "max_pool2d backward";
        int ho = out(h, k, s, p), wo = out(w, k, s, p);
        dx.require(op, "dx", Type.FLOAT32, (long) planes * h * w);
        dy.require(op, "dy", Type.FLOAT32, (long) planes * ho * wo);
        argmax.require(op, "argmax", Type.INT32, (long) planes * ho * wo);
        dx.device()
                .kernel("maxpool2d", "maxpool2d_backward", "-DT=float")
                .launch1d((long) planes * h * w, dx, dy, argmax, planes, h, w, ho, wo, k, s, p);
    }
}
