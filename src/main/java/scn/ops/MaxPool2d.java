package scn.ops;

import scn.backend.Kernels;
import scn.tensor.Shape;
import scn.tensor.Tensor;

/** Max-pool 2-D on {@code [N, C, H, W]} (the network uses 3×3, stride 2, padding 1), reference or fast. */
public final class MaxPool2d {
    private MaxPool2d() {}

    public static int[] outShape(int[] xShape, int k, int s, int p) {
        Shape.requireRank("max_pool2d", "input", xShape, 4);
        if (k < 1 || s < 1 || p < 0 || 2 * p > k) {
            throw new IllegalArgumentException("max_pool2d: invalid kernel " + k + ", stride " + s + ", padding " + p
                    + " for input " + Shape.str(xShape) + " (padding must be at most half the kernel)");
        }
        if (xShape[2] + 2 * p < k || xShape[3] + 2 * p < k) {
            throw new IllegalArgumentException(
                    "max_pool2d: kernel " + k + " larger than padded input " + Shape.str(xShape));
        }
        return new int[] {
            xShape[0], xShape[1], PoolGeometry.out(xShape[2], k, s, p), PoolGeometry.out(xShape[3], k, s, p)
        };
    }

    /** Writes {@code y} and the per-output index of the winning input inside its plane. */
    public static void forward(Tensor y, int[] argmax, Tensor x, int k, int s, int p) {
        Shape.requireSame("max_pool2d", "output", y.shapeRef(), "expected output", outShape(x.shapeRef(), k, s, p));
        int planes = x.dim(0) * x.dim(1);
        if (Kernels.reference()) {
            MaxPool2dRef.forward(y.data(), argmax, x.data(), planes, x.dim(2), x.dim(3), k, s, p);
        } else {
            MaxPool2dFast.forward(y.data(), argmax, x.data(), planes, x.dim(2), x.dim(3), k, s, p);
        }
    }

    public static void backward(Tensor dx, Tensor dy, int[] argmax) {
        int planes = dx.dim(0) * dx.dim(1);
        if (Kernels.reference()) {
            MaxPool2dRef.backward(dx.data(), dy.data(), argmax, planes, dx.dim(2), dx.dim(3), dy.dim(2), dy.dim(3));
        } else {
            MaxPool2dFast.backward(dx.data(), dy.data(), argmax, planes, dx.dim(2), dx.dim(3), dy.dim(2), dy.dim(3));
        }
    }
}
