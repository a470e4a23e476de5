package scn.eval;

/**
 * Sums doubles in the order numpy's {@code add.reduce} does for a contiguous float64 array, so that
 * means agree with pycocotools' {@code np.mean} to the last bit: the identity 0 plus numpy's pairwise
 * sum of the whole array (8 interleaved partial sums in blocks of at most 128, halves split at multiples
 * of 8 above that). A contiguous float64 array needs no iterator buffering, so numpy does not cut it into
 * buffer-sized pieces; checked against numpy 2.4 on 20000 values.
 */
final class NumpySum {
    private static final int BLOCK = 128;

    private NumpySum() {}

    /** The sum of {@code values[from .. from+count)}. */
    static double sum(double[] values, int from, int count) {
        return 0.0 + pairwise(values, from, count);
    }

    private static double pairwise(double[] a, int from, int n) {
        if (n < 8) {
            double res = 0.0;
            for (int i = 0; i < n; i++) res += a[from + i];
            return res;
        }
        if (n <= BLOCK) {
            double[] r = new double[8];
            for (int j = 0; j < 8; j++) r[j] = a[from + j];
            int i;
            for (i = 8; i < n - (n % 8); i += 8) {
                for (int j = 0; j < 8; j++) r[j] += a[from + i + j];
            }
            double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
            for (; i < n; i++) res += a[from + i];
            return res;
        }
        int half = n / 2;
        half -= half % 8;
        return pairwise(a, from, half) + pairwise(a, from + half, n - half);
    }
}
