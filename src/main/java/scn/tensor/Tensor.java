package scn.tensor;

import java.util.Arrays;

/**
 * A dense float32 tensor: a shape over contiguous row-major storage (NCHW for images).
 *
 * <p>Views ({@link #view}, {@link #foldTime}, {@link #unfoldTime}) share storage and cost one small
 * object, which is how stateless layers treat a multi-step activation {@code [T, B, ...]} as a batch of
 * {@code T*B} images. A tensor never owns an offset: every view starts at element 0 of its array, so
 * kernels index {@code data()} directly.
 *
 * <p>The array may be longer than the tensor: an {@link Arena} serves a request from any free array
 * that is large enough, so that layers of different sizes share memory. The tensor is the first
 * {@link #size()} elements; code that walks {@code data()} stops there, never at {@code data().length}.
 */
public final class Tensor {
    private final int[] shape;
    private final float[] data;
    private final int size;

    private Tensor(float[] data, int[] shape) {
        this.shape = shape;
        this.data = data;
        this.size = Shape.size(shape);
        if (size > data.length)
            throw new IllegalArgumentException(
                    "Tensor: " + data.length + " values cannot hold shape " + Shape.str(shape));
    }

    public static Tensor zeros(int... shape) {
        return new Tensor(new float[Shape.size(shape)], shape.clone());
    }

    /**
     * A tensor whose every element the caller will overwrite: drawn from the active {@link Arena} when
     * there is one (contents unspecified), else freshly allocated.
     */
    public static Tensor empty(int... shape) {
        return new Tensor(Arena.floats(Shape.size(shape)), shape.clone());
    }

    /** Zeros, drawn from the active {@link Arena} when there is one. */
    public static Tensor zerosReused(int... shape) {
        return empty(shape).zero();
    }

    /** Wraps {@code data} (not copied) with the given shape. */
    public static Tensor wrap(float[] data, int... shape) {
        if (Shape.size(shape) != data.length) {
            throw new IllegalArgumentException(
                    "Tensor.wrap: " + data.length + " values cannot have shape " + Shape.str(shape));
        }
        return new Tensor(data, shape.clone());
    }

    public static Tensor scalar(float value) {
        return new Tensor(new float[] {value}, new int[0]);
    }

    public static Tensor full(float value, int... shape) {
        Tensor t = zeros(shape);
        Arrays.fill(t.data, value);
        return t;
    }

    public int[] shape() {
        return shape.clone();
    }

    /** The shape without a defensive copy; callers must not modify it. */
    public int[] shapeRef() {
        return shape;
    }

    public int rank() {
        return shape.length;
    }

    public int dim(int axis) {
        return shape[axis < 0 ? shape.length + axis : axis];
    }

    /** The number of elements: the first {@code size()} of {@link #data()}. */
    public int size() {
        return size;
    }

    /** The storage, shared with every view of this tensor; it may run past {@link #size()}. */
    public float[] data() {
        return data;
    }

    /** A view with another shape over the same storage; one dimension may be -1 (inferred). */
    public Tensor view(int... newShape) {
        int[] s = newShape.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) {
                if (infer >= 0) throw new IllegalArgumentException("view: more than one -1 in " + Shape.str(newShape));
                infer = i;
            } else {
                known *= s[i];
            }
        }
        if (infer >= 0) {
            if (known == 0 || size % known != 0) {
                throw new IllegalArgumentException(
                        "view: cannot view " + Shape.str(shape) + " as " + Shape.str(newShape));
            }
            s[infer] = (int) (size / known);
        }
        if (Shape.size(s) != size) {
            throw new IllegalArgumentException("view: cannot view " + Shape.str(shape) + " as " + Shape.str(newShape));
        }
        return new Tensor(data, s);
    }

    /** {@code [T, B, ...]} viewed as {@code [T*B, ...]}. */
    public Tensor foldTime() {
        if (shape.length < 2) throw new IllegalArgumentException("foldTime: needs rank >= 2, got " + Shape.str(shape));
        int[] s = new int[shape.length - 1];
        s[0] = shape[0] * shape[1];
        System.arraycopy(shape, 2, s, 1, s.length - 1);
        return new Tensor(data, s);
    }

    /** {@code [T*B, ...]} viewed as {@code [T, B, ...]}. */
    public Tensor unfoldTime(int timeSteps) {
        if (shape.length < 1 || timeSteps <= 0 || shape[0] % timeSteps != 0) {
            throw new IllegalArgumentException(
                    "unfoldTime: leading dimension of " + Shape.str(shape) + " is not a multiple of T=" + timeSteps);
        }
        int[] s = new int[shape.length + 1];
        s[0] = timeSteps;
        s[1] = shape[0] / timeSteps;
        System.arraycopy(shape, 1, s, 2, shape.length - 1);
        return new Tensor(data, s);
    }

    public float item() {
        if (size != 1)
            throw new IllegalStateException("item: tensor of shape " + Shape.str(shape) + " is not a single value");
        return data[0];
    }

    public float get(int... index) {
        return data[offset(index)];
    }

    public void set(float value, int... index) {
        data[offset(index)] = value;
    }

    private int offset(int[] index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException(
                    "index " + Arrays.toString(index) + " does not match shape " + Shape.str(shape));
        }
        int off = 0;
        for (int i = 0; i < index.length; i++) {
            if (index[i] < 0 || index[i] >= shape[i]) {
                throw new IndexOutOfBoundsException(
                        "index " + Arrays.toString(index) + " outside shape " + Shape.str(shape));
            }
            off = off * shape[i] + index[i];
        }
        return off;
    }

    /** A fresh tensor with its own array of exactly {@link #size()} values. */
    public Tensor copy() {
        return new Tensor(Arrays.copyOf(data, size), shape.clone());
    }

    public Tensor zero() {
        Arrays.fill(data, 0, size, 0f);
        return this;
    }

    public Tensor fill(float v) {
        Arrays.fill(data, 0, size, v);
        return this;
    }

    /** Copies {@code src}'s values into this tensor; shapes must hold the same number of elements. */
    public Tensor copyFrom(Tensor src) {
        if (src.size != size) {
            throw new IllegalArgumentException("copyFrom: " + Shape.str(src.shape) + " into " + Shape.str(shape));
        }
        System.arraycopy(src.data, 0, data, 0, size);
        return this;
    }

    @Override
    public String toString() {
        return "Tensor" + Shape.str(shape);
    }
}
