package scn.ops;

/** The reference GEMM: {@code C[M×N] (+)= A[M×K] · B[K×N]}, three plain loops, sums in double. */
public final class GemmRef {
    private GemmRef() {}

    /** Writes (or, with {@code accumulate}, adds to) {@code c[cOff + i*ldc + j]}. */
    public static void gemm(int m, int n, int k, Mat a, Mat b, float[] c, int cOff, int ldc, boolean accumulate) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                for (int p = 0; p < k; p++) sum += (double) a.at(i, p) * b.at(p, j);
                int at = cOff + i * ldc + j;
                c[at] = accumulate ? (float) (c[at] + sum) : (float) sum;
            }
        }
    }
}
