package scn.autograd;

/**
 * Plain double-precision forwards of the differentiable operators, written as loops straight from the
 * maths of SPEC.md, for {@link GradientCheckTest}: central differences of these in double see no float32
 * round-off. They share no code with the engine's kernels. Arrays are flat, C-ordered; stateless layers
 * take {@code n} images, so {@code [T, B, ...]} is passed as {@code n = T·B} (SPEC section 1). Not for
 * speed, and not a second implementation of the backward: only forwards.
 */
final class DoubleOps {
    private DoubleOps() {}

    /** One convolution's sizes: input {@code [n, cin, h, w]}, weight {@code [cout, cin/groups, k, k]}. */
    record Conv(int n, int cin, int h, int w, int cout, int k, int stride, int pad, int groups) {
        int hOut() {
            return (h + 2 * pad - k) / stride + 1;
        }

        int wOut() {
            return (w + 2 * pad - k) / stride + 1;
        }
    }

    /**
     * {@code y[i, o, oy, ox] = bias[o] + Σ x[i, c, oy·s − p + ky, ox·s − p + kx]·w[o, c, ky, kx]}, summed over
     * the input channels {@code c} of {@code o}'s group and the kernel offsets, with zero padding.
     */
    static double[] conv2d(double[] x, double[] w, double[] bias, Conv g) {
        int ho = g.hOut(), wo = g.wOut(), cinG = g.cin() / g.groups(), coutG = g.cout() / g.groups(), k = g.k();
        double[] y = new double[g.n() * g.cout() * ho * wo]; // [n, cout, ho, wo]
        for (int i = 0; i < g.n(); i++) {
            for (int o = 0; o < g.cout(); o++) {
                int group = o / coutG;
                for (int oy = 0; oy < ho; oy++) {
                    for (int ox = 0; ox < wo; ox++) {
                        double s = bias == null ? 0 : bias[o];
                        for (int c = 0; c < cinG; c++) {
                            int ci = group * cinG + c;
                            for (int ky = 0; ky < k; ky++) {
                                int iy = oy * g.stride() - g.pad() + ky;
                                if (iy < 0 || iy >= g.h()) continue;
                                for (int kx = 0; kx < k; kx++) {
                                    int ix = ox * g.stride() - g.pad() + kx;
                                    if (ix < 0 || ix >= g.w()) continue;
                                    double xv = x[((i * g.cin() + ci) * g.h() + iy) * g.w() + ix];
                                    s += xv * w[((o * cinG + c) * k + ky) * k + kx];
                                }
                            }
                        }
                        y[((i * g.cout() + o) * ho + oy) * wo + ox] = s;
                    }
                }
            }
        }
        return y;
    }

    /** Training batch norm over {@code x [n, c, hw]}: per channel, the batch mean and biased variance. */
    static double[] batchNormTrain(double[] x, double[] gamma, double[] beta, int n, int c, int hw, double eps) {
        double[] mean = new double[c], var = new double[c];
        int m = n * hw;
        for (int ch = 0; ch < c; ch++) {
            for (int i = 0; i < n; i++) for (int p = 0; p < hw; p++) mean[ch] += x[(i * c + ch) * hw + p] / m;
            for (int i = 0; i < n; i++) {
                for (int p = 0; p < hw; p++) {
                    double d = x[(i * c + ch) * hw + p] - mean[ch];
                    var[ch] += d * d / m;
                }
            }
        }
        return batchNormEval(x, gamma, beta, mean, var, n, c, hw, eps);
    }

    /** {@code y = γ·(x − mean)/sqrt(var + eps) + β} per channel, with given statistics (evaluation mode). */
    static double[] batchNormEval(
            double[] x, double[] gamma, double[] beta, double[] mean, double[] var, int n, int c, int hw, double eps) {
        double[] y = new double[x.length];
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                for (int p = 0; p < hw; p++) {
                    int at = (i * c + ch) * hw + p;
                    y[at] = gamma[ch] * (x[at] - mean[ch]) / Math.sqrt(var[ch] + eps) + beta[ch];
                }
            }
        }
        return y;
    }

    /** Max over {@code k×k} windows of each plane of {@code x [planes, h, w]}, padding never chosen. */
    static double[] maxPool(double[] x, int planes, int h, int w, int k, int stride, int pad) {
        int ho = (h + 2 * pad - k) / stride + 1, wo = (w + 2 * pad - k) / stride + 1;
        double[] y = new double[planes * ho * wo]; // [planes, ho, wo]
        for (int pl = 0; pl < planes; pl++) {
            for (int oy = 0; oy < ho; oy++) {
                for (int ox = 0; ox < wo; ox++) {
                    double best = Double.NEGATIVE_INFINITY;
                    for (int ky = 0; ky < k; ky++) {
                        for (int kx = 0; kx < k; kx++) {
                            int iy = oy * stride - pad + ky, ix = ox * stride - pad + kx;
                            if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                            best = Math.max(best, x[(pl * h + iy) * w + ix]);
                        }
                    }
                    y[(pl * ho + oy) * wo + ox] = best;
                }
            }
        }
        return y;
    }

    /** Nearest-neighbour ×2: {@code y[pl, oy, ox] = x[pl, oy/2, ox/2]}. */
    static double[] upsample2x(double[] x, int planes, int h, int w) {
        double[] y = new double[planes * 4 * h * w]; // [planes, 2h, 2w]
        for (int pl = 0; pl < planes; pl++) {
            for (int oy = 0; oy < 2 * h; oy++) {
                for (int ox = 0; ox < 2 * w; ox++) {
                    y[(pl * 2 * h + oy) * 2 * w + ox] = x[(pl * h + oy / 2) * w + ox / 2];
                }
            }
        }
        return y;
    }

    /** Per image, {@code a}'s channels then {@code b}'s: {@code a [n, ca·hw]}, {@code b [n, cb·hw]}. */
    static double[] concat(double[] a, double[] b, int n, int aPerImage, int bPerImage) {
        double[] y = new double[a.length + b.length];
        for (int i = 0; i < n; i++) {
            System.arraycopy(a, i * aPerImage, y, i * (aPerImage + bPerImage), aPerImage);
            System.arraycopy(b, i * bPerImage, y, i * (aPerImage + bPerImage) + aPerImage, bPerImage);
        }
        return y;
    }

    /** {@code y[j] = (1/T) Σ_t x[t, j]}. */
    static double[] meanTime(double[] x, int t, int m) {
        double[] y = new double[m];
        for (int k = 0; k < t; k++) for (int j = 0; j < m; j++) y[j] += x[k * m + j] / t;
        return y;
    }

    /** Elementwise maths of one or two arguments. */
    interface Unary {
        double apply(double x);
    }

    interface Binary {
        double apply(double a, double b);
    }

    static double[] map(double[] x, Unary f) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) y[i] = f.apply(x[i]);
        return y;
    }

    static double[] map(double[] a, double[] b, Binary f) {
        double[] y = new double[a.length];
        for (int i = 0; i < a.length; i++) y[i] = f.apply(a[i], b[i]);
        return y;
    }

    static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    static double[] sum(double[] x) {
        double s = 0;
        for (double v : x) s += v;
        return new double[] {s};
    }

    static double[] mean(double[] x) {
        return new double[] {sum(x)[0] / x.length};
    }

    /**
     * The PLIF neuron's charges {@code h_t} over {@code x [T, M]} (SPEC section 2): {@code h_t = v_{t−1} +
     * (x_t − v_{t−1})·sigmoid(w)}, a spike where {@code h_t ≥ 1}, hard reset {@code v_t = h_t·(1 − s_t)},
     * {@code v_{−1} = 0}. The spikes are {@code h ≥ 1}.
     */
    static double[] plifCharges(double[] x, int t, int m, double w) {
        double decay = sigmoid(w);
        double[] h = new double[t * m]; // [T, M]
        for (int j = 0; j < m; j++) {
            double v = 0;
            for (int k = 0; k < t; k++) {
                int at = k * m + j;
                h[at] = v + (x[at] - v) * decay;
                v = h[at] >= 1 ? 0 : h[at];
            }
        }
        return h;
    }

    /**
     * The function whose derivative is the ATan surrogate (alpha = 2) at {@code u = h − 1}: {@code 1/2 +
     * atan(π/2·α·u)/π}, since {@code d/du} of it is {@code (α/2)/(1 + (π/2·α·u)²)}. A spike read out as this
     * instead of the step, with the reset still taken from the step, has exactly the gradient SPEC's
     * surrogate backward computes wherever no charge crosses the threshold.
     */
    static double surrogatePrimitive(double u) {
        double alpha = 2;
        return 0.5 + Math.atan(Math.PI / 2 * alpha * u) / Math.PI;
    }
}
