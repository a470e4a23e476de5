package scn.ops;

/**
 * A strided view of a matrix inside a float array: element {@code (i, j)} is
 * {@code data[offset + i*rowStride + j*colStride]}. A transposed operand is the same array with the two
 * strides swapped, so one GEMM serves {@code A·B}, {@code Aᵀ·B} and {@code A·Bᵀ}.
 */
public record Mat(float[] data, int offset, int rowStride, int colStride) {
    /** A row-major matrix with leading dimension {@code ld}. */
    public static Mat rowMajor(float[] data, int offset, int ld) {
        return new Mat(data, offset, ld, 1);
    }

    /** The transpose of a row-major matrix with leading dimension {@code ld}. */
    public static Mat transposed(float[] data, int offset, int ld) {
        return new Mat(data, offset, 1, ld);
    }

    float at(int i, int j) {
        return data[offset + i * rowStride + j * colStride];
    }
}
