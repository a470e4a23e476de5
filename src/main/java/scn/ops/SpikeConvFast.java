package scn.ops;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;
import scn.backend.Parallel;
import scn.backend.Scratch;
import scn.tensor.Arena;
import scn.tensor.ConvGeometry;

/**
 * Event-driven convolution of byte spikes: only the active inputs do work, and since an input is 1 the
 * work is additions, never multiplications. Checked against {@link Conv2dRef}, like the dense
 * {@link Conv2dFast}; {@link SpikeConv} chooses between the two from the input's density.
 *
 * <ul>
 *   <li>Forward: for each active input {@code (ci, iy, ix)} and each tap {@code (ky, kx)} that reaches
 *       an output {@code (oy, ox)}, the weight row {@code W[:, ci, ky, kx]} is added to {@code y[:, oy, ox]}.
 *       Weights are transposed to {@code [groups][cin/g, kh, kw, cout/g]} so a row is contiguous, and the
 *       output is gathered in a per-thread {@code [rows·wOut, cout/g]} band that fits in L2, then
 *       transposed into NCHW. The active channels of one input position are summed in registers before
 *       the band is touched, so each (position, tap) costs one load and one store of the band.</li>
 *   <li>Weight gradient: {@code dW[co, ci, ky, kx] += Σ dY[co, oy, ox]} over the active inputs of
 *       {@code ci} — again additions only — with {@code dY} transposed per image to
 *       {@code [positions, cout/g]}, summed in registers per (channel, tap).</li>
 *   <li>Depthwise layers (one channel per group) have no channel vector to add, so their active inputs
 *       are scattered as scalars straight into the output plane.</li>
 * </ul>
 * The input gradient does not depend on the input and stays dense ({@link Conv2dFast}). Work is split
 * over images (and groups); the weight gradient sums per worker and reduces in worker order, so results
 * are deterministic for a given thread count. Per call, besides the transposed weights (from the active
 * {@link Arena}, given back at the end of the call), only small index tables are allocated (kernel size × input width,
 * and the like).
 */
final class SpikeConvFast {
    private static final VectorSpecies<Float> S = scn.backend.Simd.F;
    private static final int L = S.length();
    /** Output band budget in floats (128 KiB): the band is read and written once per (position, tap). */
    private static final int BAND_FLOATS = 1 << 15;

    private SpikeConvFast() {}

    /**
     * {@code y = conv(x, w)} for byte spikes {@code x [n, cin, h, w]}; overwrites {@code y [n, cout, hOut, wOut]}.
     * {@code active [n·groups]} holds the ones of each (image, group) plane of {@code x}.
     */
    static void forward(float[] y, byte[] x, long[] active, float[] w, ConvGeometry g) {
        if (g.isDepthwise()) {
            depthwiseForward(y, x, w, g);
            return;
        }
        int h = g.h(), wi = g.w(), ho = g.hOut(), wo = g.wOut(), kh = g.kh(), kw = g.kw(), s = g.stride(), p = g.pad();
        int cinG = g.cinPerGroup(), coutG = g.coutPerGroup(), taps = kh * kw, hw = h * wi;
        float[] wt = transposeWeights(w, g); // [groups][cinG, kh, kw, coutG]
        int[] rowOut = outIndex(h, kh, s, p, ho); // [kh, h]: output row reached, or -1
        int[] colOut = outIndex(wi, kw, s, p, wo); // [kw, w]
        int[] colTaps = tapsReaching(colOut, kw, wi);
        int bandRows = Math.min(ho, Math.max(1, BAND_FLOATS / (wo * coutG)));
        int words = (cinG + 63) >>> 6;
        VectorMask<Float> tail = tailMask(coutG);
        int[] bandStride = strideIndex(coutG); // gather offsets of one channel over L positions of the band
        Parallel.forEachBalanced(taskCosts(active, g), (worker, from, to) -> {
            SpikeIndex index = SpikeIndex.local();
            float[] band = Scratch.floats(0, bandRows * wo * coutG); // [bandRows·wo, coutG]
            int[] kys = new int[kh], rowAt = new int[kh], chans = new int[cinG];
            for (int task = from; task < to; task++) {
                int n = task / g.groups(), grp = task % g.groups();
                index.bitsByPosition(x, (n * g.cin() + grp * cinG) * hw, cinG, hw);
                long[] masks = index.masks;
                int wGroup = grp * cinG * taps * coutG;
                for (int oy0 = 0; oy0 < ho; oy0 += bandRows) {
                    int oy1 = Math.min(ho, oy0 + bandRows);
                    Arrays.fill(band, 0, (oy1 - oy0) * wo * coutG, 0f);
                    int iyLo = Math.max(0, oy0 * s - p), iyHi = Math.min(h, (oy1 - 1) * s - p + kh);
                    for (int iy = iyLo; iy < iyHi; iy++) {
                        int rows = 0; // the kernel rows through which input row iy reaches this band
                        for (int ky = 0; ky < kh; ky++) {
                            int oy = rowOut[ky * h + iy];
                            if (oy >= oy0 && oy < oy1) {
                                kys[rows] = ky;
                                rowAt[rows++] = (oy - oy0) * wo;
                            }
                        }
                        if (rows == 0) continue;
                        for (int ix = 0; ix < wi; ix++) {
                            int at = iy * wi + ix;
                            if (colTaps[ix] == colTaps[ix + 1] || words == 1 && masks[at] == 0) continue;
                            int m = index.channelsAt(at, hw, words, taps * coutG, chans);
                            if (m == 0) continue;
                            for (int t = colTaps[ix]; t < colTaps[ix + 1]; t++) {
                                int kx = colTaps[t], ox = colOut[kx * wi + ix];
                                for (int r = 0; r < rows; r++) {
                                    addRows(
                                            band,
                                            (rowAt[r] + ox) * coutG,
                                            wt,
                                            wGroup + (kys[r] * kw + kx) * coutG,
                                            chans,
                                            m,
                                            coutG,
                                            tail);
                                }
                            }
                        }
                    }
                    transposeInto(
                            y,
                            ((n * g.cout() + grp * coutG) * ho + oy0) * wo,
                            ho * wo,
                            band,
                            (oy1 - oy0) * wo,
                            coutG,
                            bandStride);
                }
            }
        });
        Arena.giveBack(wt);
    }

    /**
     * {@code y[yAt + co·planeSize + q] = band[q·coutG + co]}, L positions at a time: their band rows stay
     * in L1 while each channel's run is one strided gather and one contiguous store.
     */
    private static void transposeInto(
            float[] y, int yAt, int planeSize, float[] band, int positions, int coutG, int[] stride) {
        int q = 0;
        for (; q + L <= positions; q += L) {
            for (int co = 0; co < coutG; co++)
                FloatVector.fromArray(S, band, q * coutG + co, stride, 0).intoArray(y, yAt + co * planeSize + q);
        }
        for (; q < positions; q++) {
            for (int co = 0; co < coutG; co++) y[yAt + co * planeSize + q] = band[q * coutG + co];
        }
    }

    /**
     * {@code dyt[q·coutG + co] = dy[dyAt + co·positions + q]}: the inverse, a contiguous load and a strided scatter.
     */
    private static void transposeFrom(float[] dyt, float[] dy, int dyAt, int positions, int coutG, int[] stride) {
        int q = 0;
        for (; q + L <= positions; q += L) {
            for (int co = 0; co < coutG; co++)
                FloatVector.fromArray(S, dy, dyAt + co * positions + q).intoArray(dyt, q * coutG + co, stride, 0);
        }
        for (; q < positions; q++) {
            for (int co = 0; co < coutG; co++) dyt[q * coutG + co] = dy[dyAt + co * positions + q];
        }
    }

    /** The lanes of the last, partial vector of a row of {@code width} floats (none when L divides it). */
    private static VectorMask<Float> tailMask(int width) {
        return S.indexInRange(width / L * L, width);
    }

    /** {@code {0, step, 2·step, …}}, one SIMD vector's gather offsets. */
    private static int[] strideIndex(int step) {
        int[] idx = new int[L];
        for (int i = 0; i < L; i++) idx[i] = i * step;
        return idx;
    }

    /**
     * {@code band[at .. at+coutG) += Σ_{j < m} wt[chans[j] + tap .. + coutG)}: one position, one tap, all its active
     * channels.
     */
    private static void addRows(
            float[] band, int at, float[] wt, int tap, int[] chans, int m, int coutG, VectorMask<Float> tail) {
        int c = 0;
        for (; c + L <= coutG; c += L) {
            FloatVector acc = FloatVector.fromArray(S, band, at + c);
            for (int j = 0; j < m; j++) acc = acc.add(FloatVector.fromArray(S, wt, chans[j] + tap + c));
            acc.intoArray(band, at + c);
        }
        if (c < coutG) {
            FloatVector acc = FloatVector.fromArray(S, band, at + c, tail);
            for (int j = 0; j < m; j++) acc = acc.add(FloatVector.fromArray(S, wt, chans[j] + tap + c, tail));
            acc.intoArray(band, at + c, tail);
        }
    }

    /**
     * The work of each (image, group) task of {@link #forward} and {@link #backwardWeight}, in rows of
     * {@code coutG} floats: one per output position (zeroing and writing the band, or transposing
     * {@code dy}) and one per active input and tap. Images differ a lot: the first time steps fire least.
     */
    private static long[] taskCosts(long[] active, ConvGeometry g) {
        int taps = g.kh() * g.kw();
        long[] cost = new long[active.length];
        for (int task = 0; task < cost.length; task++) cost[task] = (long) g.hOut() * g.wOut() + active[task] * taps;
        return cost;
    }

    /** {@code dw += ∂L/∂w} for byte spikes {@code x}, given {@code dy [n, cout, hOut, wOut]}. */
    static void backwardWeight(float[] dw, float[] dy, byte[] x, long[] active, ConvGeometry g) {
        if (g.isDepthwise()) {
            depthwiseBackwardWeight(dw, dy, x, g);
            return;
        }
        int h = g.h(),
                wi = g.w(),
                wo = g.wOut(),
                hwOut = g.hOut() * wo,
                kh = g.kh(),
                kw = g.kw(),
                s = g.stride(),
                p = g.pad();
        int cinG = g.cinPerGroup(), coutG = g.coutPerGroup(), taps = kh * kw;
        int[] rowOut = outIndex(h, kh, g.stride(), g.pad(), g.hOut());
        int[] colOut = outIndex(wi, kw, g.stride(), g.pad(), wo);
        int wSize = g.cout() * g.patch(); // [cout, cin/g, kh, kw]
        VectorMask<Float> tail = tailMask(coutG);
        int[] dytStride = strideIndex(coutG); // scatter offsets of one channel over L positions of dyt
        float[][] partials = new float[Parallel.threads()][]; // each [groups][cinG, kh, kw, coutG]
        Parallel.forEachBalanced(taskCosts(active, g), (worker, from, to) -> {
            float[] partial = Scratch.floats(2, wSize);
            Arrays.fill(partial, 0, wSize, 0f);
            partials[worker] = partial;
            float[] dyt = Scratch.floats(1, hwOut * coutG); // [hOut·wOut, coutG]
            SpikeIndex index = SpikeIndex.local();
            for (int task = from; task < to; task++) {
                int n = task / g.groups(), grp = task % g.groups();
                transposeFrom(dyt, dy, (n * g.cout() + grp * coutG) * hwOut, hwOut, coutG, dytStride);
                index.byChannel(x, (n * g.cin() + grp * cinG) * h * wi, cinG, h, wi, s);
                int[] start = index.start, entries = index.entries;
                for (int ci = 0; ci < cinG; ci++) {
                    if (start[ci * s * s] == start[(ci + 1) * s * s]) continue;
                    for (int ky = 0; ky < kh; ky++) {
                        for (int kx = 0; kx < kw; kx++) {
                            // Only inputs with iy ≡ ky − pad and ix ≡ kx − pad (mod stride) reach an output through
                            // this tap.
                            int list = (ci * s + Math.floorMod(ky - p, s)) * s + Math.floorMod(kx - p, s);
                            int a = start[list], b = start[list + 1];
                            if (a == b) continue;
                            int dst = ((grp * cinG + ci) * taps + ky * kw + kx) * coutG;
                            sumRows(partial, dst, dyt, entries, a, b, rowOut, ky * h, colOut, kx * wi, wo, coutG, tail);
                        }
                    }
                }
            }
        });
        // Reduce in worker order and transpose back to [cout, cinG, kh, kw].
        for (int grp = 0; grp < g.groups(); grp++) {
            for (int ci = 0; ci < cinG; ci++) {
                for (int t = 0; t < taps; t++) {
                    int src = ((grp * cinG + ci) * taps + t) * coutG;
                    for (int co = 0; co < coutG; co++) {
                        float sum = 0f;
                        for (float[] partial : partials) if (partial != null) sum += partial[src + co];
                        dw[((grp * coutG + co) * cinG + ci) * taps + t] += sum;
                    }
                }
            }
        }
    }

    /**
     * {@code partial[dst .. dst+coutG) += Σ dyt[o(e) .. + coutG)} over the active inputs {@code e} of one
     * channel, where {@code o(e)} is the output the tap {@code (ky, kx)} takes input {@code e} to.
     */
    private static void sumRows(
            float[] partial,
            int dst,
            float[] dyt,
            int[] entries,
            int a,
            int b,
            int[] rowOut,
            int rowKey,
            int[] colOut,
            int colKey,
            int wo,
            int coutG,
            VectorMask<Float> tail) {
        int c = 0;
        for (; c + L <= coutG; c += L) {
            FloatVector acc = FloatVector.zero(S);
            for (int q = a; q < b; q++) {
                int e = entries[q];
                int oy = rowOut[rowKey + (e >>> 16)], ox = colOut[colKey + (e & 0xFFFF)];
                if ((oy | ox) < 0) continue;
                acc = acc.add(FloatVector.fromArray(S, dyt, (oy * wo + ox) * coutG + c));
            }
            acc.add(FloatVector.fromArray(S, partial, dst + c)).intoArray(partial, dst + c);
        }
        if (c < coutG) {
            FloatVector acc = FloatVector.zero(S);
            for (int q = a; q < b; q++) {
                int e = entries[q];
                int oy = rowOut[rowKey + (e >>> 16)], ox = colOut[colKey + (e & 0xFFFF)];
                if ((oy | ox) < 0) continue;
                acc = acc.add(FloatVector.fromArray(S, dyt, (oy * wo + ox) * coutG + c, tail));
            }
            acc.add(FloatVector.fromArray(S, partial, dst + c, tail)).intoArray(partial, dst + c, tail);
        }
    }

    /** Depthwise forward: each active input adds its channel's kh×kw taps into the output plane. */
    private static void depthwiseForward(float[] y, byte[] x, float[] w, ConvGeometry g) {
        int h = g.h(), wi = g.w(), ho = g.hOut(), wo = g.wOut(), kh = g.kh(), kw = g.kw(), taps = kh * kw;
        int[] rowOut = outIndex(h, kh, g.stride(), g.pad(), ho);
        int[] colOut = outIndex(wi, kw, g.stride(), g.pad(), wo);
        Parallel.forEach(g.n() * g.cin(), (worker, from, to) -> {
            SpikeIndex index = SpikeIndex.local();
            for (int plane = from; plane < to; plane++) {
                int wAt = plane % g.cin() * taps, yAt = plane * ho * wo;
                Arrays.fill(y, yAt, yAt + ho * wo, 0f);
                index.byChannel(x, plane * h * wi, 1, h, wi, 1);
                int[] entries = index.entries;
                for (int q = 0, b = index.start[1]; q < b; q++) {
                    int iy = entries[q] >>> 16, ix = entries[q] & 0xFFFF;
                    for (int ky = 0; ky < kh; ky++) {
                        int oy = rowOut[ky * h + iy];
                        if (oy < 0) continue;
                        for (int kx = 0; kx < kw; kx++) {
                            int ox = colOut[kx * wi + ix];
                            if (ox >= 0) y[yAt + oy * wo + ox] += w[wAt + ky * kw + kx];
                        }
                    }
                }
            }
        });
    }

    /** Depthwise weight gradient: each channel's taps sum {@code dY} at the outputs its active inputs reach. */
    private static void depthwiseBackwardWeight(float[] dw, float[] dy, byte[] x, ConvGeometry g) {
        int h = g.h(), wi = g.w(), ho = g.hOut(), wo = g.wOut(), kh = g.kh(), kw = g.kw(), taps = kh * kw;
        int[] rowOut = outIndex(h, kh, g.stride(), g.pad(), ho);
        int[] colOut = outIndex(wi, kw, g.stride(), g.pad(), wo);
        // Channels own disjoint slices of dW: no partial sums needed.
        Parallel.forEach(g.cin(), (worker, from, to) -> {
            SpikeIndex index = SpikeIndex.local();
            float[] sums = new float[taps];
            for (int c = from; c < to; c++) {
                Arrays.fill(sums, 0f);
                for (int n = 0; n < g.n(); n++) {
                    int plane = n * g.cin() + c, yAt = plane * ho * wo;
                    index.byChannel(x, plane * h * wi, 1, h, wi, 1);
                    int[] entries = index.entries;
                    for (int q = 0, b = index.start[1]; q < b; q++) {
                        int iy = entries[q] >>> 16, ix = entries[q] & 0xFFFF;
                        for (int ky = 0; ky < kh; ky++) {
                            int oy = rowOut[ky * h + iy];
                            if (oy < 0) continue;
                            for (int kx = 0; kx < kw; kx++) {
                                int ox = colOut[kx * wi + ix];
                                if (ox >= 0) sums[ky * kw + kx] += dy[yAt + oy * wo + ox];
                            }
                        }
                    }
                }
                for (int t = 0; t < taps; t++) dw[c * taps + t] += sums[t];
            }
        });
    }

    /**
     * {@code w [cout, cinG, kh, kw]} → {@code [groups][cinG, kh, kw, coutG]}, so one weight row over output channels is
     * contiguous.
     */
    private static float[] transposeWeights(float[] w, ConvGeometry g) {
        int cinG = g.cinPerGroup(), coutG = g.coutPerGroup(), taps = g.kh() * g.kw();
        float[] wt = Arena.floats(g.cout() * g.patch());
        for (int grp = 0; grp < g.groups(); grp++) {
            for (int co = 0; co < coutG; co++) {
                int src = (grp * coutG + co) * cinG * taps;
                for (int k = 0; k < cinG * taps; k++) wt[(grp * cinG * taps + k) * coutG + co] = w[src + k];
            }
        }
        return wt;
    }

    /**
     * For each input column {@code i}, the kernel columns through which it reaches an output, as one
     * array: {@code table[i] .. table[i+1]} index the run of those kernel columns, stored after the
     * {@code size + 1} offsets. Walking the run replaces a test per kernel column, which with a stride
     * fails for about half of them in an unpredictable pattern.
     */
    private static int[] tapsReaching(int[] outIndex, int k, int size) {
        int count = 0;
        for (int v : outIndex) if (v >= 0) count++;
        int[] table = new int[size + 1 + count];
        int at = size + 1;
        for (int i = 0; i < size; i++) {
            table[i] = at;
            for (int kk = 0; kk < k; kk++) if (outIndex[kk * size + i] >= 0) table[at++] = kk;
        }
        table[size] = at;
        return table;
    }

    /**
     * {@code table[k·size + i]}: the output index that input index {@code i} reaches through kernel
     * offset {@code k} ({@code i = o·stride − pad + k}), or −1 where it reaches none. Lets the inner loops
     * map an input to its outputs with two loads instead of divisions.
     */
    private static int[] outIndex(int size, int k, int stride, int pad, int outSize) {
        int[] table = new int[k * size];
        for (int kk = 0; kk < k; kk++) {
            for (int i = 0; i < size; i++) {
                int t = i + pad - kk;
                table[kk * size + i] = t >= 0 && t % stride == 0 && t / stride < outSize ? t / stride : -1;
            }
        }
        return table;
    }
}
