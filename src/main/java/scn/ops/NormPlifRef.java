package scn.ops;

/**
 * The reference of {@link NormPlif}: literally the reference batch-norm normalisation, the residual sum
 * and the reference PLIF, one after the other, through a temporary array; backward, the PLIF's backward on
 * that array and the reference batch norm's sums.
 */
final class NormPlifRef {
    private NormPlifRef() {}

    static void forward(byte[] s, NormPlif.Input in) {
        float[] x = in.x(),
                residualF = in.residualF(),
                gamma = in.gamma(),
                beta = in.beta(),
                mean = in.mean(),
                invStd = in.invStd();
        byte[] residualB = in.residualB();
        int t = in.t(), b = in.b(), c = in.c(), hw = in.hw();
        float w = in.w();
        int size = t * b * c * hw;
        float[] pre = new float[size]; // [T*B, C, HW] the neuron's input
        BatchNorm2dRef.normalize(pre, x, gamma, beta, mean, invStd, t * b, c, hw);
        if (residualF != null) for (int i = 0; i < size; i++) pre[i] += residualF[i];
        if (residualB != null) for (int i = 0; i < size; i++) pre[i] += residualB[i];
        PlifRef.forward(s, pre, t, size / t, w);
    }

    static double backward(float[] dPre, float[] ds, NormPlif.Input in, double[] sumDy, double[] sumDyXhat) {
        float[] x = in.x(),
                residualF = in.residualF(),
                gamma = in.gamma(),
                beta = in.beta(),
                mean = in.mean(),
                invStd = in.invStd();
        byte[] residualB = in.residualB();
        int t = in.t(), b = in.b(), c = in.c(), hw = in.hw();
        float w = in.w();
        int size = t * b * c * hw, n = t * b;
        BatchNorm2dRef.normalize(dPre, x, gamma, beta, mean, invStd, n, c, hw);
        if (residualF != null) for (int i = 0; i < size; i++) dPre[i] += residualF[i];
        if (residualB != null) for (int i = 0; i < size; i++) dPre[i] += residualB[i];
        double dw = PlifRef.backwardInPlace(dPre, ds, t, size / t, w);
        BatchNorm2dRef.sums(sumDy, sumDyXhat, dPre, x, mean, invStd, n, c, hw);
        return dw;
    }
}
