package scn.ops;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;
import scn.backend.Parallel;
import scn.backend.Scratch;
import scn.backend.Simd;
import scn.tensor.Arena;
import scn.tensor.ConvGeometry;

/**
 * The input gradient of a 3×3, stride-1, padding-1 convolution computed directly, without the column
 * matrix: {@code dX[ci, iy, ix] += Σ_co Σ_ky,kx W[co, ci, ky, kx] · dY[co, iy + 1 − ky, ix + 1 − kx]}.
 * The GEMM + col2im path multiplies with an inner dimension of only {@code cout} (16 at width 0.25) and
 * writes and reads back a column matrix nine times the size of {@code dX}; here each image's {@code dY}
 * is copied once into a zero-bordered scratch plane, and a register block of 4 input channels × 2 SIMD
 * vectors of a row accumulates over every output channel and tap before touching {@code dX}. Per tap
 * that is 2 loads of {@code dY} and 4 broadcast weights for 8 fused multiply-adds. Checked against
 * {@link Conv2dRef#backwardInput} like every fast convolution path.
 */
final class Conv3x3Simd {
    private static final VectorSpecies<Float> S = Simd.F;
    private static final int L = S.length();
    /** Input channels per register block. */
    private static final int CB = 4;

    private Conv3x3Simd() {}

    /** Whether {@link #backwardInput} applies: a 3×3 kernel, stride 1, padding 1, one group. */
    static boolean applies(ConvGeometry g) {
        return g.kh() == 3 && g.kw() == 3 && g.stride() == 1 && g.pad() == 1 && g.groups() == 1;
    }

    /** {@code dx [n, cin, h, w] += ∂L/∂x} from {@code dy [n, cout, h, w]} and {@code w [cout, cin, 3, 3]}. */
    static void backwardInput(float[] dx, float[] dy, float[] w, ConvGeometry g) {
        int cin = g.cin(), cout = g.cout(), h = g.h(), wi = g.w();
        int blocks = (cin + CB - 1) / CB, nv = (wi + L - 1) / L;
        int pw = nv * L + 2, plane = (h + 2) * pw; // a padded dY row holds every vector a row reads
        float[] wr = Arena.floats(blocks * cout * 9 * CB); // [block][co][tap][CB], zero past cin
        for (int b = 0; b < blocks; b++) {
            for (int co = 0; co < cout; co++) {
                for (int tap = 0; tap < 9; tap++) {
                    for (int j = 0; j < CB; j++) {
                        int ci = b * CB + j;
                        wr[((b * cout + co) * 9 + tap) * CB + j] = ci < cin ? w[(co * cin + ci) * 9 + tap] : 0f;
                    }
                }
            }
        }
        VectorMask<Float> last = S.indexInRange((nv - 1) * L, wi); // the lanes of a row's last vector
        Parallel.forEach(g.n() * blocks, (worker, from, to) -> {
            float[] pad = Scratch.floats(
                    2, cout * plane + 2 * L); // [cout][h + 2][pw]; the reads end inside it, the 2L are slack
            int padded = -1; // the image now in pad
            for (int task = from; task < to; task++) {
                int n = task / blocks, b = task % blocks;
                if (n != padded) {
                    padImage(pad, dy, n * cout * h * wi, cout, h, wi, pw);
                    padded = n;
                }
                int ciN = Math.min(CB, cin - b * CB);
                int dxAt = (n * cin + b * CB) * h * wi;
                int wAt = b * cout * 9 * CB;
                for (int iy = 0; iy < h; iy++) {
                    int v = 0;
                    for (; v + 2 <= nv; v += 2)
                        block4x2(
                                dx,
                                dxAt + iy * wi + v * L,
                                h * wi,
                                ciN,
                                pad,
                                iy * pw + v * L,
                                plane,
                                pw,
                                wr,
                                wAt,
                                cout,
                                v + 2 == nv ? last : null);
                    if (v < nv)
                        block4x1(
                                dx,
                                dxAt + iy * wi + v * L,
                                h * wi,
                                ciN,
                                pad,
                                iy * pw + v * L,
                                plane,
                                pw,
                                wr,
                                wAt,
                                cout,
                                last);
                }
            }
        });
        Arena.giveBack(wr);
    }

    /** {@code pad[co][r][c] = dy[co][r − 1][c − 1]}, zero on the border and to the right of the row. */
    private static void padImage(float[] pad, float[] dy, int dyAt, int cout, int h, int wi, int pw) {
        java.util.Arrays.fill(pad, 0, cout * (h + 2) * pw, 0f);
        for (int co = 0; co < cout; co++) {
            for (int y = 0; y < h; y++)
                System.arraycopy(dy, dyAt + (co * h + y) * wi, pad, (co * (h + 2) + y + 1) * pw + 1, wi);
        }
    }

    /**
     * Two vectors of one row, {@code ciN ≤ 4} input channels: output row {@code iy} reads padded rows
     * {@code iy + 2 − ky} at columns {@code x + 2 − kx}, i.e. from {@code top = iy·pw + x} onwards.
     * {@code mask} limits the second vector's store when it is the row's last one.
     */
    private static void block4x2(
            float[] dx,
            int at,
            int planeSize,
            int ciN,
            float[] pad,
            int top,
            int plane,
            int pw,
            float[] wr,
            int wAt,
            int cout,
            VectorMask<Float> mask) {
        FloatVector a00 = FloatVector.zero(S),
                a01 = a00,
                a10 = a00,
                a11 = a00,
                a20 = a00,
                a21 = a00,
                a30 = a00,
                a31 = a00;
        for (int co = 0; co < cout; co++) {
            int base = co * plane + top, wc = wAt + co * 9 * CB;
            for (int ky = 0; ky < 3; ky++) {
                int row = base + (2 - ky) * pw + 2;
                for (int kx = 0; kx < 3; kx++) {
                    FloatVector d0 = FloatVector.fromArray(S, pad, row - kx),
                            d1 = FloatVector.fromArray(S, pad, row - kx + L);
                    int k = wc + (ky * 3 + kx) * CB;
                    FloatVector w0 = FloatVector.broadcast(S, wr[k]), w1 = FloatVector.broadcast(S, wr[k + 1]);
                    FloatVector w2 = FloatVector.broadcast(S, wr[k + 2]), w3 = FloatVector.broadcast(S, wr[k + 3]);
                    a00 = d0.fma(w0, a00);
                    a01 = d1.fma(w0, a01);
                    a10 = d0.fma(w1, a10);
                    a11 = d1.fma(w1, a11);
                    a20 = d0.fma(w2, a20);
                    a21 = d1.fma(w2, a21);
                    a30 = d0.fma(w3, a30);
                    a31 = d1.fma(w3, a31);
                }
            }
        }
        // Named registers, no array of vectors: an array would box them.
        addInto(dx, at, a00, null);
        addInto(dx, at + L, a01, mask);
        if (ciN > 1) {
            addInto(dx, at + planeSize, a10, null);
            addInto(dx, at + planeSize + L, a11, mask);
        }
        if (ciN > 2) {
            addInto(dx, at + 2 * planeSize, a20, null);
            addInto(dx, at + 2 * planeSize + L, a21, mask);
        }
        if (ciN > 3) {
            addInto(dx, at + 3 * planeSize, a30, null);
            addInto(dx, at + 3 * planeSize + L, a31, mask);
        }
    }

    /** One vector of one row (the odd last one), as {@link #block4x2}. */
    private static void block4x1(
            float[] dx,
            int at,
            int planeSize,
            int ciN,
            float[] pad,
            int top,
            int plane,
            int pw,
            float[] wr,
            int wAt,
            int cout,
            VectorMask<Float> mask) {
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
        for (int co = 0; co < cout; co++) {
            int base = co * plane + top, wc = wAt + co * 9 * CB;
            for (int ky = 0; ky < 3; ky++) {
                int row = base + (2 - ky) * pw + 2;
                for (int kx = 0; kx < 3; kx++) {
                    FloatVector d = FloatVector.fromArray(S, pad, row - kx);
                    int k = wc + (ky * 3 + kx) * CB;
                    a0 = d.fma(FloatVector.broadcast(S, wr[k]), a0);
                    a1 = d.fma(FloatVector.broadcast(S, wr[k + 1]), a1);
                    a2 = d.fma(FloatVector.broadcast(S, wr[k + 2]), a2);
                    a3 = d.fma(FloatVector.broadcast(S, wr[k + 3]), a3);
                }
            }
        }
        addInto(dx, at, a0, mask);
        if (ciN > 1) addInto(dx, at + planeSize, a1, mask);
        if (ciN > 2) addInto(dx, at + 2 * planeSize, a2, mask);
        if (ciN > 3) addInto(dx, at + 3 * planeSize, a3, mask);
    }

    /** {@code dx[at ..] += v}, only the lanes of {@code mask} when it is given. */
    private static void addInto(float[] dx, int at, FloatVector v, VectorMask<Float> mask) {
        if (mask == null) {
            FloatVector.fromArray(S, dx, at).add(v).intoArray(dx, at);
        } else {
            FloatVector.fromArray(S, dx, at, mask).add(v).intoArray(dx, at, mask);
        }
    }
}
