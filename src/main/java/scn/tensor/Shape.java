package scn.tensor;

import java.util.Arrays;

/** Static helpers for shapes (int arrays): element counts, equality, printing. Shapes are never mutated. */
public final class Shape {
    private Shape() {}

    /** Number of elements; throws on negative dimensions or on overflow of a Java array index. */
    public static int size(int... shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + str(shape));
            n *= d;
            if (n > Integer.MAX_VALUE)
                throw new IllegalArgumentException("shape " + str(shape) + " has more than 2^31-1 elements");
        }
        return (int) n;
    }

    public static String str(int... shape) {
        return Arrays.toString(shape);
    }

    public static boolean same(int[] a, int[] b) {
        return Arrays.equals(a, b);
    }

    /** Throws naming {@code op} unless the two shapes are equal. */
    public static void requireSame(String op, String nameA, int[] a, String nameB, int[] b) {
        if (!same(a, b)) {
            throw new IllegalArgumentException(
                    op + ": " + nameA + " has shape " + str(a) + " but " + nameB + " has shape " + str(b));
        }
    }

    /** Throws naming {@code op} unless {@code shape} has the given rank. */
    public static void requireRank(String op, String name, int[] shape, int rank) {
        if (shape.length != rank) {
            throw new IllegalArgumentException(
                    op + ": " + name + " must have rank " + rank + " but has shape " + str(shape));
        }
    }
}
