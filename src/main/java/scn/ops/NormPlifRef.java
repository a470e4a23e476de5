package scn.ops;

/**
 * The reference of {@link NormPlif}: literally the reference batch-norm normalisation, the residual sum
 * and the reference PLIF, one after the other, through a temporary array.
 */
final class NormPlifRef {
    private NormPlifRef() {}

    static void forward(
            byte[] s,
            float[] x,
            float[] residualF,
            byte[] residualB,
            float[] gamma,
            float[] beta,
            float[] mean,
            float[] invStd,
            int t,
            int b,
            int c,
            int hw,
            float w) {
        int size = t * b * c * hw;
        float[] pre = new float[size]; // [T*B, C, HW] the neuron's input
        BatchNorm2dRef.normalize(pre, x, gamma, beta, mean, invStd, t * b, c, hw);
        if (residualF != null) for (int i = 0; i < size; i++) pre[i] += residualF[i];
        if (residualB != null) for (int i = 0; i < size; i++) pre[i] += residualB[i];
        PlifRef.forward(s, pre, t, size / t, w);
    }
}
