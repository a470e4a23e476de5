package scn.ops;

import scn.backend.Kernels;
import scn.backend.Profile;
import scn.tensor.Shape;
import scn.tensor.Tensor;

/**
 * Batch norm 2-D on tensors {@code [N, C, H, W]}: shape checks, then {@link BatchNorm2dRef} or {@link BatchNorm2dSimd}.
 */
public final class BatchNorm2d {
    private BatchNorm2d() {}

    private static void check(Tensor x, Tensor gamma, Tensor y) {
        Shape.requireRank("batch_norm2d", "input", x.shapeRef(), 4);
        Shape.requireSame("batch_norm2d", "output", y.shapeRef(), "input", x.shapeRef());
        if (gamma.size() != x.dim(1)) {
            throw new IllegalArgumentException("batch_norm2d: input " + Shape.str(x.shapeRef()) + " has " + x.dim(1)
                    + " channels but the parameters have shape " + Shape.str(gamma.shapeRef()));
        }
    }

    /** Training forward (batch statistics); fills {@code mean[C]}, {@code invStd[C]}, moves the running statistics. */
    public static void forwardTrain(
            Tensor y,
            Tensor x,
            Tensor gamma,
            Tensor beta,
            Tensor runMean,
            Tensor runVar,
            float[] mean,
            float[] invStd,
            float momentum,
            float eps) {
        check(x, gamma, y);
        statistics(x, runMean, runVar, mean, invStd, momentum, eps);
        normalize(y, x, gamma, beta, mean, invStd);
    }

    /**
     * The training forward's statistics: fills {@code mean[C]}, {@code invStd[C]} and moves the running
     * statistics. {@link #forwardTrain} normalises with them; {@link NormPlif} does so on the fly.
     */
    public static void statistics(
            Tensor x, Tensor runMean, Tensor runVar, float[] mean, float[] invStd, float momentum, float eps) {
        Shape.requireRank("batch_norm2d", "input", x.shapeRef(), 4);
        int n = x.dim(0), c = x.dim(1), hw = x.dim(2) * x.dim(3);
        if ((long) n * hw < 2) {
            throw new IllegalArgumentException(
                    "batch_norm2d: training needs more than one value per channel, got input "
                            + Shape.str(x.shapeRef()));
        }
        if (runMean.size() != c || mean.length != c) {
            throw new IllegalArgumentException("batch_norm2d: input " + Shape.str(x.shapeRef()) + " has " + c
                    + " channels but the statistics have " + runMean.size());
        }
        long t0 = Profile.start();
        if (Kernels.reference()) {
            BatchNorm2dRef.statistics(x.data(), runMean.data(), runVar.data(), mean, invStd, n, c, hw, momentum, eps);
        } else {
            BatchNorm2dSimd.statistics(x.data(), runMean.data(), runVar.data(), mean, invStd, n, c, hw, momentum, eps);
        }
        Profile.stop("batch_norm", "statistics", t0);
    }

    /** Evaluation forward (running statistics). */
    public static void forwardEval(
            Tensor y, Tensor x, Tensor gamma, Tensor beta, Tensor runMean, Tensor runVar, float eps) {
        check(x, gamma, y);
        int n = x.dim(0), c = x.dim(1), hw = x.dim(2) * x.dim(3);
        long t0 = Profile.start();
        if (Kernels.reference()) {
            BatchNorm2dRef.forwardEval(
                    y.data(), x.data(), gamma.data(), beta.data(), runMean.data(), runVar.data(), n, c, hw, eps);
        } else {
            BatchNorm2dSimd.forwardEval(
                    y.data(), x.data(), gamma.data(), beta.data(), runMean.data(), runVar.data(), n, c, hw, eps);
        }
        Profile.stopForward("batch_norm", t0);
    }

    /** {@code y = γ·(x − mean)·invStd + β} with given statistics: recomputes a forward output exactly. */
    public static void normalize(Tensor y, Tensor x, Tensor gamma, Tensor beta, float[] mean, float[] invStd) {
        check(x, gamma, y);
        int n = x.dim(0), c = x.dim(1), hw = x.dim(2) * x.dim(3);
        long t0 = Profile.start();
        if (Kernels.reference()) {
            BatchNorm2dRef.normalize(y.data(), x.data(), gamma.data(), beta.data(), mean, invStd, n, c, hw);
        } else {
            BatchNorm2dSimd.normalize(y.data(), x.data(), gamma.data(), beta.data(), mean, invStd, n, c, hw);
        }
        Profile.stopForward("batch_norm", t0);
    }

    /** Backward; any of {@code dx}, {@code dGamma}, {@code dBeta} may be null. Accumulates. */
    public static void backward(
            Tensor dx,
            Tensor dGamma,
            Tensor dBeta,
            Tensor dy,
            Tensor x,
            Tensor gamma,
            float[] mean,
            float[] invStd,
            boolean batchStats) {
        int n = x.dim(0), c = x.dim(1), hw = x.dim(2) * x.dim(3);
        float[] dxa = dx == null ? null : dx.data(),
                dga = dGamma == null ? null : dGamma.data(),
                dba = dBeta == null ? null : dBeta.data();
        long t0 = Profile.start();
        if (Kernels.reference()) {
            BatchNorm2dRef.backward(
                    dxa, dga, dba, dy.data(), x.data(), gamma.data(), mean, invStd, n, c, hw, batchStats);
        } else {
            double[] sumDy = new double[c], sumDyXhat = new double[c];
            BatchNorm2dSimd.sums(sumDy, sumDyXhat, dy.data(), x.data(), mean, invStd, n, c, hw);
            BatchNorm2dSimd.backwardFromSums(
                    dxa,
                    dga,
                    dba,
                    dy.data(),
                    x.data(),
                    gamma.data(),
                    mean,
                    invStd,
                    sumDy,
                    sumDyXhat,
                    n,
                    c,
                    hw,
                    batchStats);
        }
        Profile.stop("batch_norm", "backward", t0);
    }

    /**
     * {@link #backward} given each channel's {@code sumDy = Σ dy} and {@code sumDyXhat = Σ dy·x̂}, as a fused
     * operator that produced {@code dy} also summed them ({@link NormPlif#backward}). Accumulates.
     */
    public static void backwardFromSums(
            Tensor dx,
            Tensor dGamma,
            Tensor dBeta,
            Tensor dy,
            Tensor x,
            Tensor gamma,
            float[] mean,
            float[] invStd,
            double[] sumDy,
            double[] sumDyXhat,
            boolean batchStats) {
        int n = x.dim(0), c = x.dim(1), hw = x.dim(2) * x.dim(3);
        float[] dxa = dx == null ? null : dx.data(),
                dga = dGamma == null ? null : dGamma.data(),
                dba = dBeta == null ? null : dBeta.data();
        long t0 = Profile.start();
        if (Kernels.reference()) {
            BatchNorm2dRef.backwardFromSums(
                    dxa,
                    dga,
                    dba,
                    dy.data(),
                    x.data(),
                    gamma.data(),
                    mean,
                    invStd,
                    sumDy,
                    sumDyXhat,
                    n,
                    c,
                    hw,
                    batchStats);
        } else {
            BatchNorm2dSimd.backwardFromSums(
                    dxa,
                    dga,
                    dba,
                    dy.data(),
                    x.data(),
                    gamma.data(),
                    mean,
                    invStd,
                    sumDy,
                    sumDyXhat,
                    n,
                    c,
                    hw,
                    batchStats);
        }
        Profile.stop("batch_norm", "backward", t0);
    }

    /** The running statistics as (mean, 1/sqrt(var + eps)), for the evaluation-mode backward. */
    public static float[][] runningMeanInvStd(Tensor runMean, Tensor runVar, float eps) {
        float[] m = runMean.data().clone();
        float[] is = new float[m.length];
        for (int i = 0; i < is.length; i++) is[i] = (float) (1.0 / Math.sqrt(runVar.data()[i] + (double) eps));
        return new float[][] {m, is};
    }
}
