package scn.ops;

import scn.tensor.Shape;
import scn.tensor.Tensor;

/**
 * Channel concatenation {@code [N, Ca, H, W] ⊕ [N, Cb, H, W] → [N, Ca+Cb, H, W]} and its backward split.
 * Pure copies: {@code System.arraycopy} is already the fast path, so there is one implementation.
 */
public final class Concat {
    private Concat() {}

    public static int[] outShape(int[] a, int[] b) {
        Shape.requireRank("concat", "first input", a, 4);
        Shape.requireRank("concat", "second input", b, 4);
        if (a[0] != b[0] || a[2] != b[2] || a[3] != b[3]) {
            throw new IllegalArgumentException(
                    "concat: inputs " + Shape.str(a) + " and " + Shape.str(b) + " differ outside the channel axis");
        }
        return new int[] {a[0], a[1] + b[1], a[2], a[3]};
    }

    public static void forward(Tensor y, Tensor a, Tensor b) {
        Shape.requireSame("concat", "output", y.shapeRef(), "expected output", outShape(a.shapeRef(), b.shapeRef()));
        int n = a.dim(0), sa = a.size() / n, sb = b.size() / n;
        for (int i = 0; i < n; i++) {
            System.arraycopy(a.data(), i * sa, y.data(), i * (sa + sb), sa);
            System.arraycopy(b.data(), i * sb, y.data(), i * (sa + sb) + sa, sb);
        }
    }

    /** {@code da += dy[:, :Ca]}, {@code db += dy[:, Ca:]}; either may be null. */
    public static void backward(Tensor da, Tensor db, Tensor dy, int[] aShape, int[] bShape) {
        int n = aShape[0], sa = Shape.size(aShape) / n, sb = Shape.size(bShape) / n;
        float[] g = dy.data();
        for (int i = 0; i < n; i++) {
            if (da != null) for (int j = 0; j < sa; j++) da.data()[i * sa + j] += g[i * (sa + sb) + j];
            if (db != null) for (int j = 0; j < sb; j++) db.data()[i * sb + j] += g[i * (sa + sb) + sa + j];
        }
    }
}
