package scn.ops;

import scn.tensor.ConvGeometry;

/**
 * The reference 2-D convolution (cross-correlation, zero padding, groups): forward and both backward
 * passes as the plain loops of the definition, sums in double. Inputs {@code [N, Cin, H, W]}, weights
 * {@code [Cout, Cin/groups, kh, kw]}, outputs {@code [N, Cout, Ho, Wo]}. Backward passes accumulate.
 */
public final class Conv2dRef {
    private Conv2dRef() {}

    /** {@code y = conv(x, w)}; overwrites {@code y}. */
    public static void forward(float[] y, float[] x, float[] w, ConvGeometry g) {
        int ho = g.hOut(), wo = g.wOut(), cinG = g.cinPerGroup(), coutG = g.coutPerGroup();
        for (int n = 0; n < g.n(); n++) {
            for (int co = 0; co < g.cout(); co++) {
                int grp = co / coutG;
                for (int oy = 0; oy < ho; oy++) {
                    for (int ox = 0; ox < wo; ox++) {
                        double sum = 0;
                        for (int ci = 0; ci < cinG; ci++) {
                            int c = grp * cinG + ci;
                            for (int ky = 0; ky < g.kh(); ky++) {
                                int iy = oy * g.stride() - g.pad() + ky;
                                if (iy < 0 || iy >= g.h()) continue;
                                for (int kx = 0; kx < g.kw(); kx++) {
                                    int ix = ox * g.stride() - g.pad() + kx;
                                    if (ix < 0 || ix >= g.w()) continue;
                                    sum += (double) x[((n * g.cin() + c) * g.h() + iy) * g.w() + ix]
                                            * w[((co * cinG + ci) * g.kh() + ky) * g.kw() + kx];
                                }
                            }
                        }
                        y[((n * g.cout() + co) * ho + oy) * wo + ox] = (float) sum;
                    }
                }
            }
        }
    }

    /** {@code dx += convᵀ(dy, w)}: every output gradient flows back to the inputs it read. */
    public static void backwardInput(float[] dx, float[] dy, float[] w, ConvGeometry g) {
        int ho = g.hOut(), wo = g.wOut(), cinG = g.cinPerGroup(), coutG = g.coutPerGroup();
        double[] acc = new double[g.n() * g.cin() * g.h() * g.w()]; // [n, cin, h, w]
        for (int n = 0; n < g.n(); n++) {
            for (int co = 0; co < g.cout(); co++) {
                int grp = co / coutG;
                for (int oy = 0; oy < ho; oy++) {
                    for (int ox = 0; ox < wo; ox++) {
                        double dyv = dy[((n * g.cout() + co) * ho + oy) * wo + ox];
                        for (int ci = 0; ci < cinG; ci++) {
                            int c = grp * cinG + ci;
                            for (int ky = 0; ky < g.kh(); ky++) {
                                int iy = oy * g.stride() - g.pad() + ky;
                                if (iy < 0 || iy >= g.h()) continue;
                                for (int kx = 0; kx < g.kw(); kx++) {
                                    int ix = ox * g.stride() - g.pad() + kx;
                                    if (ix < 0 || ix >= g.w()) continue;
                                    acc[((n * g.cin() + c) * g.h() + iy) * g.w() + ix] +=
                                            dyv * w[((co * cinG + ci) * g.kh() + ky) * g.kw() + kx];
                                }
                            }
                        }
                    }
                }
            }
        }
        for (int i = 0; i < acc.length; i++) dx[i] += (float) acc[i];
    }

    /** {@code dw += Σ_n Σ_positions dy · x}. */
    public static void backwardWeight(float[] dw, float[] dy, float[] x, ConvGeometry g) {
        int ho = g.hOut(), wo = g.wOut(), cinG = g.cinPerGroup(), coutG = g.coutPerGroup();
        for (int co = 0; co < g.cout(); co++) {
            int grp = co / coutG;
            for (int ci = 0; ci < cinG; ci++) {
                int c = grp * cinG + ci;
                for (int ky = 0; ky < g.kh(); ky++) {
                    for (int kx = 0; kx < g.kw(); kx++) {
                        double sum = 0;
                        for (int n = 0; n < g.n(); n++) {
                            for (int oy = 0; oy < ho; oy++) {
                                int iy = oy * g.stride() - g.pad() + ky;
                                if (iy < 0 || iy >= g.h()) continue;
                                for (int ox = 0; ox < wo; ox++) {
                                    int ix = ox * g.stride() - g.pad() + kx;
                                    if (ix < 0 || ix >= g.w()) continue;
                                    sum += (double) dy[((n * g.cout() + co) * ho + oy) * wo + ox]
                                            * x[((n * g.cin() + c) * g.h() + iy) * g.w() + ix];
                                }
                            }
                        }
                        dw[((co * cinG + ci) * g.kh() + ky) * g.kw() + kx] += (float) sum;
                    }
                }
            }
        }
    }
}
