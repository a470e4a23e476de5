package scn.ops;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import scn.backend.Parallel;
import scn.backend.Scratch;
import scn.backend.Simd;

/**
 * The fast batch norm: channels split over threads, each channel's planes swept with SIMD. Lane sums
 * are float within one plane and double across planes, which keeps the result within float round-off
 * of {@link BatchNorm2dRef} for the plane sizes of this network. Same contract as the reference.
 */
final class BatchNorm2dSimd {
    private static final VectorSpecies<Float> S = Simd.F;
    private static final int L = S.length();
    /** The {@link Scratch} slot of the lanes the plane sums go through ({@link Simd#sum(FloatVector, float[])}). */
    private static final int LANES_SLOT = 5;

    private BatchNorm2dSimd() {}

    static void statistics(
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
        Parallel.forEach(c, (worker, from, to) -> {
            float[] lanes = Scratch.floats(LANES_SLOT, L);
            for (int ch = from; ch < to; ch++) {
                double sum = 0;
                for (int i = 0; i < n; i++) sum += planeSum(x, (i * c + ch) * hw, hw, lanes);
                float mu = (float) (sum / m);
                double sq = 0;
                for (int i = 0; i < n; i++) sq += planeSquaredDeviation(x, (i * c + ch) * hw, hw, mu, lanes);
                double var = sq / m;
                float is = (float) (1.0 / Math.sqrt(var + eps));
                mean[ch] = mu;
                invStd[ch] = is;
                double unbiased = m > 1 ? sq / (m - 1) : var;
                runMean[ch] = (float) ((1 - momentum) * runMean[ch] + momentum * (sum / m));
                runVar[ch] = (float) ((1 - momentum) * runVar[ch] + momentum * unbiased);
            }
        });
    }

    /** {@code y = x·scale + shift} with {@code scale = γ·invStd}, {@code shift = β − mean·scale}, per channel. */
    static void normalize(
            float[] y, float[] x, float[] gamma, float[] beta, float[] mean, float[] invStd, int n, int c, int hw) {
        Parallel.forEach(n * c, (worker, from, to) -> {
            for (int plane = from; plane < to; plane++) {
                int ch = plane % c;
                float scale = gamma[ch] * invStd[ch], shift = beta[ch] - mean[ch] * scale;
                affine(y, x, plane * hw, hw, scale, shift);
            }
        });
    }

    static void forwardEval(
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
     * {@code sumDy[ch] = Σ dy}, {@code sumDyXhat[ch] = Σ dy·x̂} over each channel, as {@link BatchNorm2dRef#sums}: float
     * within a plane, double across planes.
     */
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
        Parallel.forEach(c, (worker, from, to) -> {
            float[] lanes = Scratch.floats(LANES_SLOT, L);
            for (int ch = from; ch < to; ch++) {
                double sDy = 0, sDyX = 0;
                for (int i = 0; i < n; i++) {
                    int at = (i * c + ch) * hw;
                    sDy += planeSum(dy, at, hw, lanes);
                    sDyX += planeDot(dy, x, at, hw, mean[ch], lanes);
                }
                sumDy[ch] = sDy;
                sumDyXhat[ch] = sDyX * invStd[ch];
            }
        });
    }

    /** The backward given each channel's {@link #sums}, as {@link BatchNorm2dRef#backwardFromSums}. */
    static void backwardFromSums(
            float[] dx,
            float[] dGamma,
            float[] dBeta,
            float[] dy,
            float[] x,
            float[] gamma,
            float[] mean,
            float[] invStd,
            double[] sumDy,
            double[] sumDyXhat,
            int n,
            int c,
            int hw,
            boolean batchStats) {
        long m = (long) n * hw;
        Parallel.forEach(c, (worker, from, to) -> {
            for (int ch = from; ch < to; ch++) {
                float mu = mean[ch], is = invStd[ch];
                if (dGamma != null) dGamma[ch] += (float) sumDyXhat[ch];
                if (dBeta != null) dBeta[ch] += (float) sumDy[ch];
                if (dx == null) continue;
                float k = gamma[ch] * is;
                // dx = k·dy + a·(x − μ) + b, with a = −k·is·Σdy·x̂/m and b = −k·Σdy/m in training mode.
                float a = batchStats ? (float) (-k * is * sumDyXhat[ch] / m) : 0f;
                float b = batchStats ? (float) (-k * sumDy[ch] / m) : 0f;
                for (int i = 0; i < n; i++) accumulateDx(dx, dy, x, (i * c + ch) * hw, hw, k, a, b, mu);
            }
        });
    }

    private static float planeSum(float[] v, int at, int len, float[] lanes) {
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (; i + L <= len; i += L) acc = acc.add(FloatVector.fromArray(S, v, at + i));
        float s = Simd.sum(acc, lanes);
        for (; i < len; i++) s += v[at + i];
        return s;
    }

    private static float planeSquaredDeviation(float[] v, int at, int len, float mu, float[] lanes) {
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (; i + L <= len; i += L) {
            FloatVector d = FloatVector.fromArray(S, v, at + i).sub(mu);
            acc = d.fma(d, acc);
        }
        float s = Simd.sum(acc, lanes);
        for (; i < len; i++) {
            float d = v[at + i] - mu;
            s += d * d;
        }
        return s;
    }

    /** {@code Σ dy·(x − μ)} over one plane. */
    private static float planeDot(float[] dy, float[] x, int at, int len, float mu, float[] lanes) {
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (; i + L <= len; i += L) {
            acc = FloatVector.fromArray(S, dy, at + i)
                    .fma(FloatVector.fromArray(S, x, at + i).sub(mu), acc);
        }
        float s = Simd.sum(acc, lanes);
        for (; i < len; i++) s += dy[at + i] * (x[at + i] - mu);
        return s;
    }

    private static void affine(float[] y, float[] x, int at, int len, float scale, float shift) {
        int i = 0;
        for (; i + L <= len; i += L)
            FloatVector.fromArray(S, x, at + i).fma(scale, shift).intoArray(y, at + i);
        for (; i < len; i++) y[at + i] = x[at + i] * scale + shift;
    }

    private static void accumulateDx(
            float[] dx, float[] dy, float[] x, int at, int len, float k, float a, float b, float mu) {
        int i = 0;
        for (; i + L <= len; i += L) {
            FloatVector v = FloatVector.fromArray(S, dy, at + i)
                    .mul(k)
                    .add(FloatVector.fromArray(S, x, at + i).sub(mu).mul(a))
                    .add(b);
            v.add(FloatVector.fromArray(S, dx, at + i)).intoArray(dx, at + i);
        }
        for (; i < len; i++) dx[at + i] += k * dy[at + i] + a * (x[at + i] - mu) + b;
    }
}
