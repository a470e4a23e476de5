package scn.ops;

import scn.tensor.ConvGeometry;

/**
 * Lowering one image's convolution to a matrix product: {@link #fill} copies the receptive fields of a
 * run of output positions into columns ({@code col[(ci*kh + ky)*kw + kx][pos]}), {@link #scatterAdd}
 * sends column gradients back to the input. Inputs are float or byte spikes; exactly one of
 * {@code xf}/{@code xb} is non-null. Positions are taken in chunks so the column buffer stays in cache.
 */
final class Im2col {
    private Im2col() {}

    /**
     * Fills {@code col[patch][nb]} for output positions {@code [p0, p0+nb)} of the group whose first input
     * channel starts at element {@code xAt} of the input.
     */
    static void fill(float[] col, float[] xf, byte[] xb, int xAt, ConvGeometry g, int p0, int nb) {
        int wo = g.wOut(), s = g.stride(), pad = g.pad(), h = g.h(), w = g.w();
        int row = 0;
        for (int ci = 0; ci < g.cinPerGroup(); ci++) {
            int plane = xAt + ci * h * w;
            for (int ky = 0; ky < g.kh(); ky++) {
                for (int kx = 0; kx < g.kw(); kx++, row++) {
                    int at = row * nb;
                    int p = p0;
                    while (p < p0 + nb) {
                        int oy = p / wo, ox0 = p % wo;
                        int ox1 = Math.min(wo, ox0 + (p0 + nb - p)); // end of this output row within the chunk
                        int iy = oy * s - pad + ky;
                        int dst = at + (p - p0);
                        if (iy < 0 || iy >= h) {
                            java.util.Arrays.fill(col, dst, dst + (ox1 - ox0), 0f);
                        } else {
                            // Outputs [oxLo, oxHi) read inside the row, the rest its zero padding: no test per element.
                            int src = plane + iy * w - pad + kx, to = dst - ox0;
                            int oxLo = Math.min(ox1, Math.max(ox0, ceilDiv(pad - kx, s)));
                            int oxHi = Math.max(oxLo, Math.min(ox1, ceilDiv(w + pad - kx, s)));
                            java.util.Arrays.fill(col, dst, to + oxLo, 0f);
                            if (xf != null) {
                                for (int ox = oxLo; ox < oxHi; ox++) col[to + ox] = xf[src + ox * s];
                            } else {
                                for (int ox = oxLo; ox < oxHi; ox++) col[to + ox] = xb[src + ox * s];
                            }
                            java.util.Arrays.fill(col, to + oxHi, to + ox1, 0f);
                        }
                        p += ox1 - ox0;
                    }
                }
            }
        }
    }

    /** {@code dx += col2im(dcol)} for output positions {@code [p0, p0+nb)}; the inverse of {@link #fill}. */
    static void scatterAdd(float[] dx, int xAt, float[] dcol, ConvGeometry g, int p0, int nb) {
        int wo = g.wOut(), s = g.stride(), pad = g.pad(), h = g.h(), w = g.w();
        int row = 0;
        for (int ci = 0; ci < g.cinPerGroup(); ci++) {
            int plane = xAt + ci * h * w;
            for (int ky = 0; ky < g.kh(); ky++) {
                for (int kx = 0; kx < g.kw(); kx++, row++) {
                    int at = row * nb;
                    int p = p0;
                    while (p < p0 + nb) {
                        int oy = p / wo, ox0 = p % wo;
                        int ox1 = Math.min(wo, ox0 + (p0 + nb - p));
                        int iy = oy * s - pad + ky;
                        if (iy >= 0 && iy < h) {
                            int dst = plane + iy * w;
                            int src = at + (p - p0) - ox0;
                            int oxLo = Math.max(ox0, ceilDiv(pad - kx, s));
                            int oxHi = Math.min(ox1, ceilDiv(w + pad - kx, s));
                            for (int ox = oxLo; ox < oxHi; ox++) dx[dst + ox * s - pad + kx] += dcol[src + ox];
                        }
                        p += ox1 - ox0;
                    }
                }
            }
        }
    }

    /** Ceiling division that is correct for negative numerators. */
    private static int ceilDiv(int a, int b) {
        return -Math.floorDiv(-a, b);
    }
}
