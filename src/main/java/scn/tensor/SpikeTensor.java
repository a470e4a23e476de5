package scn.tensor;

/**
 * A binary tensor stored as one byte per element (exactly 0 or 1): a quarter of the float32 memory,
 * and usable directly as an operator input (convolutions read it through their byte im2col).
 *
 * <p>Bytes rather than bits: a byte loads and converts to float in one SIMD step, and bit packing would
 * save only another 8x on data that is already small next to the float activations around it.
 */
public final class SpikeTensor {
    private final int[] shape;
    private final byte[] data;

    private SpikeTensor(byte[] data, int[] shape) {
        this.data = data;
        this.shape = shape;
    }

    public static SpikeTensor zeros(int... shape) {
        return new SpikeTensor(new byte[Shape.size(shape)], shape.clone());
    }

    /** Wraps {@code data} (not copied); every byte must be 0 or 1. */
    public static SpikeTensor wrap(byte[] data, int... shape) {
        if (Shape.size(shape) != data.length) {
            throw new IllegalArgumentException(
                    "SpikeTensor.wrap: " + data.length + " values cannot have shape " + Shape.str(shape));
        }
        for (int i = 0; i < data.length; i++) {
            if ((data[i] & ~1) != 0) {
                throw new IllegalArgumentException(
                        "SpikeTensor.wrap: element " + i + " is " + data[i] + ", spikes must be 0 or 1");
            }
        }
        return new SpikeTensor(data, shape.clone());
    }

    /** Wraps bytes that the caller guarantees are 0 or 1 (kernels that produce spikes); not checked. */
    public static SpikeTensor wrapTrusted(byte[] data, int... shape) {
        if (Shape.size(shape) != data.length) {
            throw new IllegalArgumentException(
                    "SpikeTensor.wrapTrusted: " + data.length + " values cannot have shape " + Shape.str(shape));
        }
        return new SpikeTensor(data, shape.clone());
    }

    /** Packs a float tensor whose values are exactly 0 or 1; anything else is an error. */
    public static SpikeTensor fromFloat(Tensor t) {
        float[] src = t.data();
        byte[] dst = new byte[t.size()];
        for (int i = 0; i < dst.length; i++) {
            float v = src[i];
            if (v == 1f) {
                dst[i] = 1;
            } else if (v != 0f) {
                throw new IllegalArgumentException(
                        "SpikeTensor.fromFloat: element " + i + " of " + t + " is " + v + ", not 0 or 1");
            }
        }
        return new SpikeTensor(dst, t.shape());
    }

    /** The spikes as floats (in an array from the active {@link Arena}, if any). */
    public Tensor toFloat() {
        Tensor t = Tensor.empty(shape);
        float[] dst = t.data();
        for (int i = 0; i < data.length; i++) dst[i] = data[i];
        return t;
    }

    public int[] shape() {
        return shape.clone();
    }

    public int[] shapeRef() {
        return shape;
    }

    public int dim(int axis) {
        return shape[axis < 0 ? shape.length + axis : axis];
    }

    public int rank() {
        return shape.length;
    }

    public int size() {
        return data.length;
    }

    public byte[] data() {
        return data;
    }

    /** A view with another shape over the same bytes. */
    public SpikeTensor view(int... newShape) {
        if (Shape.size(newShape) != data.length) {
            throw new IllegalArgumentException(
                    "view: cannot view spikes " + Shape.str(shape) + " as " + Shape.str(newShape));
        }
        return new SpikeTensor(data, newShape.clone());
    }

    /** Fraction of ones. */
    public double density() {
        long ones = 0;
        for (byte b : data) ones += b;
        return data.length == 0 ? 0 : (double) ones / data.length;
    }

    @Override
    public String toString() {
        return "SpikeTensor" + Shape.str(shape);
    }
}
