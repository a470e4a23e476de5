package scn.ops;

/**
 * The reference batch norm over {@code x [N, C, H, W]}, per channel (SPEC section 3): training mode
 * normalises with the batch's biased variance and moves the running estimates (unbiased variance,
 * momentum); evaluation mode normalises with the running estimates. Sums in double. The forward saves
 * per-channel {@code mean} and {@code invStd} for the backward, which accumulates.
 */
public final class BatchNorm2dRef {
    private BatchNorm2dRef() {}

    /** Training forward; writes {@code y}, {@code mean[C]}, {@code invStd[C]} and updates the running statistics. */
    public static void forwardTrain(
            float[] y,
            float[] x,
            float[] gamma,
            float[] beta,
            float[] runMean,
            float[] runVar,
            float[] mean,
            float[] invStd,
            int n,
            int c,
            int hw,
            float momentum,
            float eps) {
        statistics(x, runMean, runVar, mean, invStd, n, c, hw, momentum, eps);
        normalize(y, x, gamma, beta, mean, invStd, n, c, hw);
    }

    /**
     * The training-mode half of the forward before normalising: fills {@code mean[C]}, {@code invStd[C]}, moves the
     * running statistics.
     */
    public static void statistics(
            float[] x,
            float[] runMean,
            float[] runVar,
            float[] mean,
            float[] invStd,
            int n,
            int c,
            int hw,
            float momentum,
            float eps) {
        long m = (long) n * hw;
        for (int ch = 0; ch < c; ch++) {
            double sum = 0;
            for (int i = 0; i < n; i++) for (int p = 0; p < hw; p++) sum += x[(i * c + ch) * hw + p];
            double mu = sum / m;
            double sq = 0;
            for (int i = 0; i < n; i++) {
                for (int p = 0; p < hw; p++) {
                    double d = x[(i * c + ch) * hw + p] - mu;
                    sq += d * d;
                }
            }
            double var = sq / m;
            double is = 1.0 / Math.sqrt(var + eps);
            mean[ch] = (float) mu;
            invStd[ch] = (float) is;
            double unbiased = m > 1 ? sq / (m - 1) : var;
            runMean[ch] = (float) ((1 - momentum) * runMean[ch] + momentum * mu);
            runVar[ch] = (float) ((1 - momentum) * runVar[ch] + momentum * unbiased);
        }
    }

    /** {@code y = γ·(x − mean)·invStd + β} per channel, with the given statistics (both modes end here). */
    public static void normalize(
            float[] y, float[] x, float[] gamma, float[] beta, float[] mean, float[] invStd, int n, int c, int hw) {
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                for (int p = 0; p < hw; p++) {
                    int at = (i * c + ch) * hw + p;
                    y[at] = (float) ((double) gamma[ch] * (x[at] - mean[ch]) * invStd[ch] + beta[ch]);
                }
            }
        }
    }

    /** Evaluation forward with the running statistics; writes {@code y}. */
    public static void forwardEval(
            float[] y,
            float[] x,
            float[] gamma,
            float[] beta,
            float[] runMean,
            float[] runVar,
            int n,
            int c,
            int hw,
            float eps) {
        float[] invStd = new float[c];
        for (int ch = 0; ch < c; ch++) invStd[ch] = (float) (1.0 / Math.sqrt(runVar[ch] + (double) eps));
        normalize(y, x, gamma, beta, runMean, invStd, n, c, hw);
    }

    /**
     * Backward of either mode: {@code dx += …}, {@code dGamma += Σ dy·x̂}, {@code dBeta += Σ dy}. With
     * {@code batchStats} the mean and variance depend on {@code x} (training); without, they are
     * constants (evaluation) and {@code mean}/{@code invStd} are the running ones.
     */
    public static void backward(
            float[] dx,
            float[] dGamma,
            float[] dBeta,
            float[] dy,
            float[] x,
            float[] gamma,
            float[] mean,
            float[] invStd,
            int n,
            int c,
            int hw,
            boolean batchStats) {
        double[] sumDy = new double[c], sumDyXhat = new double[c];
        sums(sumDy, sumDyXhat, dy, x, mean, invStd, n, c, hw);
        backwardFromSums(dx, dGamma, dBeta, dy, x, gamma, mean, invStd, sumDy, sumDyXhat, n, c, hw, batchStats);
    }

    /** {@code sumDy[ch] = Σ dy}, {@code sumDyXhat[ch] = Σ dy·x̂} over each channel: what the backward needs. */
    static void sums(
            double[] sumDy,
            double[] sumDyXhat,
            float[] dy,
            float[] x,
            float[] mean,
            float[] invStd,
            int n,
            int c,
            int hw) {
        for (int ch = 0; ch < c; ch++) {
            double sDy = 0, sDyXhat = 0;
            for (int i = 0; i < n; i++) {
                for (int p = 0; p < hw; p++) {
                    int at = (i * c + ch) * hw + p;
                    double xhat = (x[at] - mean[ch]) * (double) invStd[ch];
                    sDy += dy[at];
                    sDyXhat += dy[at] * xhat;
                }
            }
            sumDy[ch] = sDy;
            sumDyXhat[ch] = sDyXhat;
        }
    }

    /** The backward given the channels' {@link #sums}. */
    static void backwardFromSums(
            float[] dx,
            float[] dGamma,
            float[] dBeta,
            float[] dy,
            float[] x,
            float[] gamma,
            float[] mean,
            float[] invStd,
            double[] sums,
            double[] sumsXhat,
            int n,
            int c,
            int hw,
            boolean batchStats) {
        long m = (long) n * hw;
        for (int ch = 0; ch < c; ch++) {
            double sumDy = sums[ch], sumDyXhat = sumsXhat[ch];
            if (dGamma != null) dGamma[ch] += (float) sumDyXhat;
            if (dBeta != null) dBeta[ch] += (float) sumDy;
            if (dx == null) continue;
            double k = gamma[ch] * (double) invStd[ch];
            for (int i = 0; i < n; i++) {
                for (int p = 0; p < hw; p++) {
                    int at = (i * c + ch) * hw + p;
                    if (batchStats) {
                        double xhat = (x[at] - mean[ch]) * (double) invStd[ch];
                        dx[at] += (float) (k * (dy[at] - sumDy / m - xhat * sumDyXhat / m));
                    } else {
                        dx[at] += (float) (k * dy[at]);
                    }
                }
            }
        }
    }
}
