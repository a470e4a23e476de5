package scn.ops;

import scn.backend.Kernels;
import scn.tensor.Shape;
import scn.tensor.Tensor;

/** Nearest-neighbour ×2 upsampling of {@code [N, C, H, W]} to {@code [N, C, 2H, 2W]}; keeps spikes binary. */
public final class Upsample2x {
    private Upsample2x() {}

    public static int[] outShape(int[] xShape) {
        Shape.requireRank("upsample2x", "input", xShape, 4);
        return new int[] {xShape[0], xShape[1], 2 * xShape[2], 2 * xShape[3]};
    }

    public static void forward(Tensor y, Tensor x) {
        Shape.requireSame("upsample2x", "output", y.shapeRef(), "expected output", outShape(x.shapeRef()));
        int planes = x.dim(0) * x.dim(1);
        if (Kernels.reference()) {
            Upsample2xRef.forward(y.data(), x.data(), planes, x.dim(2), x.dim(3));
        } else {
            Upsample2xFast.forward(y.data(), x.data(), planes, x.dim(2), x.dim(3));
        }
    }

    public static void backward(Tensor dx, Tensor dy) {
        Shape.requireSame("upsample2x backward", "dy", dy.shapeRef(), "expected", outShape(dx.shapeRef()));
        int planes = dx.dim(0) * dx.dim(1);
        if (Kernels.reference()) {
            Upsample2xRef.backward(dx.data(), dy.data(), planes, dx.dim(2), dx.dim(3));
        } else {
            Upsample2xFast.backward(dx.data(), dy.data(), planes, dx.dim(2), dx.dim(3));
        }
    }
}
