package scn.ops;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import scn.backend.Simd;

/**
 * The fast single-threaded GEMM: BLIS-style blocking with packed panels and a register-blocked SIMD
 * micro-kernel. {@code C[M×N] (+)= A[M×K] · B[K×N]}; threads are added by {@link Gemm}.
 *
 * <p>Loops, outermost first: columns of C in blocks of {@link #NC}; depth in blocks of {@link #KC}
 * (one packed B panel of {@code KC×NC}, kept in L2/L3); rows in blocks of {@link #MC} (one packed A block
 * of {@code MC×KC}, kept in L2); then {@code MR×NR} tiles of C held in {@code MR·2} vector registers
 * while the micro-kernel streams one packed A column and one packed B row per step of {@code k}.
 * Packing pads partial panels with zeros so the micro-kernel never branches on edges; edge tiles are
 * written through a small scratch tile instead.
 */
final class GemmSimd {
    private static final VectorSpecies<Float> S = Simd.F;
    private static final int L = S.length();
    static final int MR = 6;
    static final int NR = 2 * L;
    /**
     * The depth of a panel. At 16 lanes a B micro-panel of 256 rows fills the 32 KiB L1 cache; 128 rows (half of it)
     * made the 1×1 layer 768→1152 on 8×10 maps slower, not faster: its depths of 768 and 800 then took six or seven
     * passes over C instead of three or four (forward 10.8 against 9.6 ms, the median of 100 calls interleaved).
     */
    static final int KC = 256;

    static final int MC = 144; // a multiple of MR
    static final int NC = 64 * NR; // a multiple of NR

    /** Per-thread packing buffers, allocated once per thread. */
    static final class Workspace {
        final float[] packA = new float[MC * KC]; // [MC/MR][KC][MR]
        final float[] packB = new float[KC * NC]; // [NC/NR][KC][NR]
        final float[] tile = new float[MR * NR]; // [MR][NR]
    }

    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

    private GemmSimd() {}

    static void gemm(int m, int n, int k, Mat a, Mat b, float[] c, int cOff, int ldc, boolean accumulate) {
        if (k == 0) {
            if (!accumulate)
                for (int i = 0; i < m; i++) java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
            return;
        }
        Workspace ws = WORKSPACE.get();
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                packB(b, pc, jc, kc, nc, ws.packB);
                boolean add = accumulate || pc > 0;
                for (int ic = 0; ic < m; ic += MC) {
                    int mc = Math.min(MC, m - ic);
                    packA(a, ic, pc, mc, kc, ws.packA);
                    for (int jr = 0; jr < nc; jr += NR) {
                        int nr = Math.min(NR, nc - jr);
                        for (int ir = 0; ir < mc; ir += MR) {
                            int mr = Math.min(MR, mc - ir);
                            int cAt = cOff + (ic + ir) * ldc + jc + jr;
                            if (mr == MR && nr == NR) {
                                kernel(kc, ws.packA, ir * kc, ws.packB, jr * kc, c, cAt, ldc, add);
                            } else {
                                kernel(kc, ws.packA, ir * kc, ws.packB, jr * kc, ws.tile, 0, NR, false);
                                addTile(ws.tile, mr, nr, c, cAt, ldc, add);
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * Packs {@code A[ic:ic+mc, pc:pc+kc]} into MR-row panels, {@code k}-major inside a panel. Whichever
     * of A's strides is 1 is read in the inner loop, so the source is read in order.
     */
    private static void packA(Mat a, int ic, int pc, int mc, int kc, float[] dst) {
        float[] src = a.data();
        int rs = a.rowStride(), cs = a.colStride();
        for (int ir = 0; ir < mc; ir += MR) {
            int base = ir * kc;
            int rows = Math.min(MR, mc - ir);
            int from = a.offset() + (ic + ir) * rs + pc * cs;
            if (rows == MR && rs == 1) {
                for (int p = 0; p < kc; p++) {
                    for (int r = 0; r < MR; r++) dst[base + p * MR + r] = src[from + p * cs + r];
                }
                continue;
            }
            for (int r = 0; r < MR; r++) {
                if (r < rows) {
                    for (int p = 0; p < kc; p++) dst[base + p * MR + r] = src[from + r * rs + p * cs];
                } else {
                    for (int p = 0; p < kc; p++) dst[base + p * MR + r] = 0f;
                }
            }
        }
    }

    /** Packs {@code B[pc:pc+kc, jc:jc+nc]} into NR-column panels, {@code k}-major inside a panel. */
    private static void packB(Mat b, int pc, int jc, int kc, int nc, float[] dst) {
        float[] src = b.data();
        int rs = b.rowStride(), cs = b.colStride();
        for (int jr = 0; jr < nc; jr += NR) {
            int base = jr * kc;
            int cols = Math.min(NR, nc - jr);
            if (cs == 1 && cols == NR) {
                // Two vector copies per row: System.arraycopy's call costs as much as 32 floats.
                int from = b.offset() + pc * rs + jc + jr;
                for (int p = 0; p < kc; p++, from += rs) {
                    FloatVector.fromArray(S, src, from).intoArray(dst, base + p * NR);
                    FloatVector.fromArray(S, src, from + L).intoArray(dst, base + p * NR + L);
                }
            } else if (cs == 1) {
                for (int p = 0; p < kc; p++) {
                    int from = b.offset() + (pc + p) * rs + jc + jr;
                    int to = base + p * NR;
                    System.arraycopy(src, from, dst, to, cols);
                    for (int j = cols; j < NR; j++) dst[to + j] = 0f;
                }
            } else {
                for (int j = 0; j < NR; j++) {
                    if (j < cols) {
                        int from = b.offset() + pc * rs + (jc + jr + j) * cs;
                        for (int p = 0; p < kc; p++) dst[base + p * NR + j] = src[from + p * rs];
                    } else {
                        for (int p = 0; p < kc; p++) dst[base + p * NR + j] = 0f;
                    }
                }
            }
        }
    }

    /** {@code C[MR×NR] (+)= Apanel · Bpanel} over {@code kc} steps; the tile lives in 12 registers. */
    private static void kernel(
            int kc, float[] pa, int aAt, float[] pb, int bAt, float[] c, int cAt, int ldc, boolean add) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        int ai = aAt, bi = bAt;
        for (int p = 0; p < kc; p++, ai += MR, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(S, pb, bi);
            FloatVector b1 = FloatVector.fromArray(S, pb, bi + L);
            FloatVector a = FloatVector.broadcast(S, pa[ai]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(S, pa[ai + 1]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(S, pa[ai + 2]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(S, pa[ai + 3]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
            a = FloatVector.broadcast(S, pa[ai + 4]);
            c40 = a.fma(b0, c40);
            c41 = a.fma(b1, c41);
            a = FloatVector.broadcast(S, pa[ai + 5]);
            c50 = a.fma(b0, c50);
            c51 = a.fma(b1, c51);
        }
        // Written out rather than through a helper: passing vectors to a call that is not inlined boxes them.
        if (add) {
            c00 = c00.add(FloatVector.fromArray(S, c, cAt));
            c01 = c01.add(FloatVector.fromArray(S, c, cAt + L));
            c10 = c10.add(FloatVector.fromArray(S, c, cAt + ldc));
            c11 = c11.add(FloatVector.fromArray(S, c, cAt + ldc + L));
            c20 = c20.add(FloatVector.fromArray(S, c, cAt + 2 * ldc));
            c21 = c21.add(FloatVector.fromArray(S, c, cAt + 2 * ldc + L));
            c30 = c30.add(FloatVector.fromArray(S, c, cAt + 3 * ldc));
            c31 = c31.add(FloatVector.fromArray(S, c, cAt + 3 * ldc + L));
            c40 = c40.add(FloatVector.fromArray(S, c, cAt + 4 * ldc));
            c41 = c41.add(FloatVector.fromArray(S, c, cAt + 4 * ldc + L));
            c50 = c50.add(FloatVector.fromArray(S, c, cAt + 5 * ldc));
            c51 = c51.add(FloatVector.fromArray(S, c, cAt + 5 * ldc + L));
        }
        c00.intoArray(c, cAt);
        c01.intoArray(c, cAt + L);
        c10.intoArray(c, cAt + ldc);
        c11.intoArray(c, cAt + ldc + L);
        c20.intoArray(c, cAt + 2 * ldc);
        c21.intoArray(c, cAt + 2 * ldc + L);
        c30.intoArray(c, cAt + 3 * ldc);
        c31.intoArray(c, cAt + 3 * ldc + L);
        c40.intoArray(c, cAt + 4 * ldc);
        c41.intoArray(c, cAt + 4 * ldc + L);
        c50.intoArray(c, cAt + 5 * ldc);
        c51.intoArray(c, cAt + 5 * ldc + L);
    }

    private static void addTile(float[] tile, int mr, int nr, float[] c, int cAt, int ldc, boolean add) {
        for (int r = 0; r < mr; r++) {
            for (int j = 0; j < nr; j++) {
                int at = cAt + r * ldc + j;
                c[at] = add ? c[at] + tile[r * NR + j] : tile[r * NR + j];
            }
        }
    }
}
