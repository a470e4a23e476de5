package scn.check.kernels;

import java.util.ArrayList;
import java.util.List;
import scn.autograd.Var;
import scn.backend.DeviceBuffer.Type;
import scn.backend.opencl.AdamWCl;
import scn.backend.opencl.BatchNorm2dCl;
import scn.backend.opencl.ClBuffer;
import scn.backend.opencl.ConcatCl;
import scn.backend.opencl.Conv2dCl;
import scn.backend.opencl.GemmCl;
import scn.backend.opencl.MaxPool2dCl;
import scn.backend.opencl.PlifCl;
import scn.backend.opencl.Upsample2xCl;
import scn.energy.EnergyEstimator;
import scn.ops.AdamWRef;
import scn.ops.BatchNorm2dRef;
import scn.ops.Concat;
import scn.ops.Conv2dRef;
import scn.ops.GemmRef;
import scn.ops.Mat;
import scn.ops.MaxPool2d;
import scn.ops.MaxPool2dRef;
import scn.ops.PlifRef;
import scn.ops.Upsample2xRef;
import scn.tensor.ConvGeometry;
import scn.tensor.Shape;
import scn.tensor.SpikeTensor;
import scn.tensor.Tensor;

/**
 * The cases of {@link ClChecks}: each OpenCL entry against its reference on small odd shapes (sizes
 * that are not multiples of a work-group or a GEMM tile, sizes below one work-group, more than one
 * reduction chunk). Backward passes start from non-zero gradients so that accumulation is checked too.
 *
 * <p>Tolerances, {@code |got − ref| ≤ atol + rtol·|ref|}: the references compute in double where they
 * sum and round once; the kernels sum in float32 in another order (tiles, tree reductions), so a sum
 * of K terms of magnitude ≤ 1 may differ by about K·2⁻²⁴ in absolute terms: atol = 1e-6·K, rtol = 1e-4.
 * Pure data movement (pooling, upsampling, concatenation, spikes) must match exactly (0, 0). Single
 * operations round like the reference (atol 0, rtol 1e-6); OpenCL's exp/log/pow may be off by a few
 * units in the last place (the specification allows up to 16 for pow), so those get rtol 1e-5.
 */
public final class ClCheckCases {
    /** The number of checks {@link #all} runs; the tests assert it, so a dropped case is noticed. */
    public static final int COUNT = 83 + ClStepCheckCases.COUNT + ClDistillationCases.COUNT;

    private static final double SUM_RTOL = 1e-4;

    private ClCheckCases() {}

    static void all(ClChecks c) {
        gemm(c);
        conv(c);
        batchNorm(c);
        plif(c);
        pooling(c);
        elementwise(c);
        adamw(c);
        energy(c);
        ClStepCheckCases.all(c);
        ClDistillationCases.all(c);
    }

    private static void gemm(ClChecks c) {
        for (int[] s : new int[][] {{1, 1, 1}, {7, 33, 5}, {37, 70, 65}, {65, 19, 130}}) {
            int m = s[0], n = s[1], k = s[2];
            c.check(
                    "gemm " + m + "x" + n + "x" + k + " (4 transposes, set and accumulate)",
                    1e-6 * k,
                    SUM_RTOL,
                    List.of("GemmCl.gemm"),
                    () -> {
                        float[][] out = new float[16][];
                        int o = 0;
                        for (int t = 0; t < 4; t++) {
                            boolean ta = (t & 1) != 0, tb = (t & 2) != 0;
                            float[] a = c.uniform(m * k), b = c.uniform(k * n), c0 = c.uniform(m * n);
                            ClBuffer da = c.up(a), db = c.up(b);
                            for (boolean acc : new boolean[] {false, true}) {
                                float[] ref = c0.clone();
                                GemmRef.gemm(
                                        m,
                                        n,
                                        k,
                                        ta ? Mat.transposed(a, 0, m) : Mat.rowMajor(a, 0, k),
                                        tb ? Mat.transposed(b, 0, k) : Mat.rowMajor(b, 0, n),
                                        ref,
                                        0,
                                        n,
                                        acc);
                                ClBuffer dc = c.up(c0);
                                GemmCl.gemm(
                                        m,
                                        n,
                                        k,
                                        ta ? GemmCl.View.transposed(da, 0, m) : GemmCl.View.rowMajor(da, 0, k),
                                        tb ? GemmCl.View.transposed(db, 0, k) : GemmCl.View.rowMajor(db, 0, n),
                                        dc,
                                        0,
                                        n,
                                        acc);
                                out[o++] = ref;
                                out[o++] = c.down(dc);
                            }
                        }
                        return out;
                    });
        }
        int batch = 3, m = 13, n = 17, k = 9;
        c.check(
                "gemm batched 3 x 13x17x9, offsets and leading dimensions",
                1e-6 * k,
                SUM_RTOL,
                List.of("GemmCl.gemmBatched"),
                () -> {
                    int lda = k + 2, ldc = n + 3, aStride = m * lda + 1, bStride = k * n + 5, cStride = m * ldc;
                    float[] a = c.uniform(batch * aStride + 4),
                            b = c.uniform(batch * bStride),
                            c0 = c.uniform(batch * cStride + 2);
                    float[] ref = c0.clone();
                    for (int i = 0; i < batch; i++) {
                        GemmRef.gemm(
                                m,
                                n,
                                k,
                                Mat.rowMajor(a, 4 + i * aStride, lda),
                                Mat.rowMajor(b, i * bStride, n),
                                ref,
                                2 + i * cStride,
                                ldc,
                                true);
                    }
                    ClBuffer dc = c.up(c0);
                    GemmCl.gemmBatched(
                            batch,
                            m,
                            n,
                            k,
                            GemmCl.View.rowMajor(c.up(a), 4, lda).batched(aStride),
                            GemmCl.View.rowMajor(c.up(b), 0, n).batched(bStride),
                            dc,
                            2,
                            ldc,
                            cStride,
                            true);
                    return new float[][] {ref, c.down(dc)};
                });
    }

    private static void conv(ClChecks c) {
        ConvGeometry[] shapes = {
            new ConvGeometry(2, 3, 9, 7, 5, 3, 3, 1, 1, 1), // 3x3, the encoder's common case
            new ConvGeometry(2, 4, 13, 11, 6, 7, 7, 2, 3, 1), // the stem's 7x7 stride 2
            new ConvGeometry(2, 4, 7, 6, 6, 3, 3, 2, 1, 2), // grouped, neither plain nor depthwise
            new ConvGeometry(3, 5, 5, 7, 4, 1, 1, 1, 0, 1), // 1x1: GEMM on the activations
            new ConvGeometry(2, 5, 7, 9, 7, 1, 1, 2, 0, 1), // 1x1 stride 2: the downsample shortcut
            new ConvGeometry(2, 6, 9, 7, 6, 3, 3, 1, 1, 6), // depthwise
            new ConvGeometry(2, 6, 8, 5, 6, 3, 3, 2, 1, 6), // depthwise stride 2
        };
        for (ConvGeometry g : shapes) {
            String what = g.kh() + "x" + g.kw() + " s" + g.stride() + " p" + g.pad() + " g" + g.groups() + " [" + g.n()
                    + "," + g.cin() + "," + g.h() + "," + g.w() + "]->" + g.cout();
            int in = Shape.size(g.inShape()), out = Shape.size(g.outShape()), wn = Shape.size(g.weightShape());
            // A chunk of one sample for the first shape exercises the column-buffer chunking.
            long cols = g == shapes[0] ? 1 : Conv2dCl.COLUMN_FLOATS;
            c.check(
                    "conv2d forward " + what + " (float and spike input)",
                    1e-6 * g.patch(),
                    SUM_RTOL,
                    List.of("Conv2dCl.forward"),
                    () -> {
                        float[] x = c.uniform(in), w = c.uniform(wn);
                        byte[] s = c.spikes(in, 0.3);
                        float[] ref = new float[out], refS = new float[out];
                        Conv2dRef.forward(ref, x, w, g);
                        Conv2dRef.forward(refS, ClChecks.toFloat(s), w, g);
                        ClBuffer y = c.alloc(Type.FLOAT32, out), yS = c.alloc(Type.FLOAT32, out), dw = c.up(w);
                        Conv2dCl.forward(y, c.up(x), dw, g, cols);
                        Conv2dCl.forward(yS, c.up(s), dw, g, cols);
                        return new float[][] {ref, c.down(y), refS, c.down(yS)};
                    });
            int fanOut = g.coutPerGroup() * g.kh() * g.kw();
            c.check("conv2d backwardInput " + what, 1e-6 * fanOut, SUM_RTOL, List.of("Conv2dCl.backwardInput"), () -> {
                float[] dy = c.uniform(out), w = c.uniform(wn), dx0 = c.uniform(in);
                float[] ref = dx0.clone();
                Conv2dRef.backwardInput(ref, dy, w, g);
                ClBuffer dx = c.up(dx0);
                Conv2dCl.backwardInput(dx, c.up(dy), c.up(w), g, cols);
                return new float[][] {ref, c.down(dx)};
            });
            int terms = g.n() * g.hOut() * g.wOut();
            c.check(
                    "conv2d backwardWeight " + what + " (float and spike input)",
                    1e-6 * terms,
                    SUM_RTOL,
                    List.of("Conv2dCl.backwardWeight"),
                    () -> {
                        float[] dy = c.uniform(out), x = c.uniform(in), dw0 = c.uniform(wn);
                        byte[] s = c.spikes(in, 0.3);
                        float[] ref = dw0.clone(), refS = dw0.clone();
                        Conv2dRef.backwardWeight(ref, dy, x, g);
                        Conv2dRef.backwardWeight(refS, dy, ClChecks.toFloat(s), g);
                        ClBuffer dw = c.up(dw0), dwS = c.up(dw0), ddy = c.up(dy);
                        Conv2dCl.backwardWeight(dw, ddy, c.up(x), g, cols);
                        Conv2dCl.backwardWeight(dwS, ddy, c.up(s), g, cols);
                        return new float[][] {ref, c.down(dw), refS, c.down(dwS)};
                    });
        }
    }

    private static void batchNorm(ClChecks c) {
        // [N, C, HW]: one sample per channel position; a single position; more than one reduction chunk.
        for (int[] s : new int[][] {{2, 3, 35}, {5, 4, 1}, {3, 2, 4097}}) {
            int n = s[0], ch = s[1], hw = s[2], total = n * ch * hw, m = n * hw;
            String what = "[" + n + "," + ch + "," + hw + "]";
            // Outputs, statistics and running estimates are all of order 1, and the per-channel sums are
            // blocked (16 terms per work-item, then a tree), so rounding grows with log m, not m: atol 1e-5.
            c.check("batch_norm forwardTrain " + what, 1e-5, SUM_RTOL, List.of("BatchNorm2dCl.forwardTrain"), () -> {
                float[] x = c.uniform(total, 2, 4),
                        gamma = c.uniform(ch),
                        beta = c.uniform(ch),
                        rm = c.uniform(ch),
                        rv = c.uniform(ch, 0.5, 2);
                float[] y = new float[total],
                        mean = new float[ch],
                        inv = new float[ch],
                        rm1 = rm.clone(),
                        rv1 = rv.clone();
                BatchNorm2dRef.forwardTrain(y, x, gamma, beta, rm1, rv1, mean, inv, n, ch, hw, 0.1f, 1e-5f);
                ClBuffer dy = c.alloc(Type.FLOAT32, total),
                        dMean = c.alloc(Type.FLOAT32, ch),
                        dInv = c.alloc(Type.FLOAT32, ch);
                ClBuffer dRm = c.up(rm), dRv = c.up(rv);
                BatchNorm2dCl.forwardTrain(
                        dy, c.up(x), c.up(gamma), c.up(beta), dRm, dRv, dMean, dInv, n, ch, hw, 0.1f, 1e-5f);
                return new float[][] {
                    y, c.down(dy), mean, c.down(dMean), inv, c.down(dInv), rm1, c.down(dRm), rv1, c.down(dRv)
                };
            });
            // A few roundings of values of order 1 before beta is added, which may cancel: absolute 1e-6.
            c.check("batch_norm forwardEval " + what, 1e-6, 1e-6, List.of("BatchNorm2dCl.forwardEval"), () -> {
                float[] x = c.uniform(total),
                        gamma = c.uniform(ch),
                        beta = c.uniform(ch),
                        rm = c.uniform(ch),
                        rv = c.uniform(ch, 0.5, 2);
                float[] y = new float[total];
                BatchNorm2dRef.forwardEval(y, x, gamma, beta, rm, rv, n, ch, hw, 1e-5f);
                ClBuffer dy = c.alloc(Type.FLOAT32, total);
                BatchNorm2dCl.forwardEval(dy, c.up(x), c.up(gamma), c.up(beta), c.up(rm), c.up(rv), n, ch, hw, 1e-5f);
                return new float[][] {y, c.down(dy)};
            });
            // dGamma and dBeta are sums of m = N·HW terms: atol 1e-6·m.
            c.check(
                    "batch_norm backward " + what + " (batch statistics; fixed statistics without dGamma)",
                    1e-6 * m,
                    SUM_RTOL,
                    List.of("BatchNorm2dCl.backward"),
                    () -> {
                        float[] x = c.uniform(total),
                                dy = c.uniform(total),
                                gamma = c.uniform(ch),
                                mean = c.uniform(ch, -0.2, 0.2),
                                inv = c.uniform(ch, 0.5, 2);
                        float[] dx0 = c.uniform(total), dg0 = c.uniform(ch), db0 = c.uniform(ch);
                        float[] dx = dx0.clone(),
                                dg = dg0.clone(),
                                db = db0.clone(),
                                dxE = dx0.clone(),
                                dbE = db0.clone();
                        BatchNorm2dRef.backward(dx, dg, db, dy, x, gamma, mean, inv, n, ch, hw, true);
                        BatchNorm2dRef.backward(dxE, null, dbE, dy, x, gamma, mean, inv, n, ch, hw, false);
                        ClBuffer ddx = c.up(dx0), ddg = c.up(dg0), ddb = c.up(db0), ddxE = c.up(dx0), ddbE = c.up(db0);
                        ClBuffer ddy = c.up(dy), dxx = c.up(x), dgm = c.up(gamma), dmean = c.up(mean), dinv = c.up(inv);
                        BatchNorm2dCl.backward(ddx, ddg, ddb, ddy, dxx, dgm, dmean, dinv, n, ch, hw, true);
                        BatchNorm2dCl.backward(ddxE, null, ddbE, ddy, dxx, dgm, dmean, dinv, n, ch, hw, false);
                        return new float[][] {
                            dx, c.down(ddx), dg, c.down(ddg), db, c.down(ddb), dxE, c.down(ddxE), dbE, c.down(ddbE)
                        };
                    });
        }
    }

    private static void plif(ClChecks c) {
        for (int[] s : new int[][] {{5, 1}, {5, 37}, {5, 1000}, {1, 300}, {7, 513}}) {
            int t = s[0], m = s[1], n = t * m;
            String what = "T=" + t + " M=" + m;
            float w = (float) (c.uniform(1)[0] * 0.5);
            c.check("plif forward " + what + " (spikes exact)", 0, 0, List.of("PlifCl.forward"), () -> {
                float[] x = c.uniform(n, 0, 2.5);
                byte[] ref = new byte[n];
                PlifRef.forward(ref, x, t, m, w);
                ClBuffer sp = c.alloc(Type.UINT8, n);
                PlifCl.forward(sp, c.up(x), t, m, c.up(new float[] {w}));
                return new float[][] {ClChecks.toFloat(ref), ClChecks.toFloat(c.downBytes(sp))};
            });
            // dx: a short recurrence per neuron (T terms); dw: a sum over all T·M neurons and steps.
            c.check("plif backward " + what, 1e-6 * n, SUM_RTOL, List.of("PlifCl.backward"), () -> {
                float[] x = c.uniform(n, 0, 2.5), gs = c.uniform(n), dx0 = c.uniform(n);
                float[] dx = dx0.clone();
                float dw0 = 0.25f;
                float gw = (float) (dw0 + PlifRef.backward(dx, gs, x, t, m, w));
                ClBuffer ddx = c.up(dx0), ddw = c.up(new float[] {dw0});
                PlifCl.backward(ddx, ddw, c.up(gs), c.up(x), t, m, c.up(new float[] {w}));
                return new float[][] {dx, c.down(ddx), {gw}, c.down(ddw)};
            });
        }
    }

    private static void pooling(ClChecks c) {
        for (int[] s : new int[][] {{3, 9, 7}, {2, 1, 1}, {5, 16, 10}}) {
            int planes = s[0], h = s[1], w = s[2];
            int[] pooled = MaxPool2d.outShape(new int[] {1, planes, h, w}, 3, 2, 1); // the reference's sizes
            int ho = pooled[2], wo = pooled[3];
            int in = planes * h * w, out = planes * ho * wo;
            String what = "[" + planes + "," + h + "," + w + "]";
            c.check(
                    "max_pool2d 3/2/1 forward " + what + " (float with ties, spikes)",
                    0,
                    0,
                    List.of("MaxPool2dCl.forward"),
                    () -> {
                        float[] x = c.uniform(in);
                        for (int i = 0; i < in; i++)
                            x[i] = Math.round(x[i] * 4) / 4f; // coarse values: ties decide by scan order
                        byte[] sp = c.spikes(in, 0.2);
                        float[] y = new float[out], yS = new float[out];
                        int[] am = new int[out], amS = new int[out];
                        MaxPool2dRef.forward(y, am, x, planes, h, w, 3, 2, 1);
                        MaxPool2dRef.forward(yS, amS, ClChecks.toFloat(sp), planes, h, w, 3, 2, 1);
                        ClBuffer dy = c.alloc(Type.FLOAT32, out),
                                dyS = c.alloc(Type.UINT8, out),
                                dam = c.alloc(Type.INT32, out),
                                damS = c.alloc(Type.INT32, out);
                        MaxPool2dCl.forward(dy, dam, c.up(x), planes, h, w, 3, 2, 1);
                        MaxPool2dCl.forward(dyS, damS, c.up(sp), planes, h, w, 3, 2, 1);
                        return new float[][] {
                            y,
                            c.down(dy),
                            ClChecks.toFloat(am),
                            ClChecks.toFloat(c.downInts(dam)),
                            yS,
                            ClChecks.toFloat(c.downBytes(dyS)),
                            ClChecks.toFloat(amS),
                            ClChecks.toFloat(c.downInts(damS))
                        };
                    });
            c.check("max_pool2d 3/2/1 backward " + what, 1e-6 * 4, 0, List.of("MaxPool2dCl.backward"), () -> {
                float[] x = c.uniform(in), dyv = c.uniform(out), dx0 = c.uniform(in);
                float[] y = new float[out];
                int[] am = new int[out];
                MaxPool2dRef.forward(y, am, x, planes, h, w, 3, 2, 1);
                float[] dx = dx0.clone();
                MaxPool2dRef.backward(dx, dyv, am, planes, h, w, ho, wo);
                ClBuffer ddx = c.up(dx0), dam = c.alloc(Type.INT32, out);
                c.dev.write(dam, am);
                MaxPool2dCl.backward(ddx, c.up(dyv), dam, planes, h, w, 3, 2, 1);
                return new float[][] {dx, c.down(ddx)};
            });
        }
        for (int[] s : new int[][] {{3, 5, 7}, {1, 1, 1}}) {
            int planes = s[0], h = s[1], w = s[2], in = planes * h * w;
            String what = "[" + planes + "," + h + "," + w + "]";
            c.check("upsample2x forward " + what + " (float, spikes)", 0, 0, List.of("Upsample2xCl.forward"), () -> {
                float[] x = c.uniform(in);
                byte[] sp = c.spikes(in, 0.5);
                float[] y = new float[4 * in], yS = new float[4 * in];
                Upsample2xRef.forward(y, x, planes, h, w);
                Upsample2xRef.forward(yS, ClChecks.toFloat(sp), planes, h, w);
                ClBuffer dy = c.alloc(Type.FLOAT32, 4 * in), dyS = c.alloc(Type.UINT8, 4 * in);
                Upsample2xCl.forward(dy, c.up(x), planes, h, w);
                Upsample2xCl.forward(dyS, c.up(sp), planes, h, w);
                return new float[][] {y, c.down(dy), yS, ClChecks.toFloat(c.downBytes(dyS))};
            });
            c.check("upsample2x backward " + what, 1e-6 * 4, 0, List.of("Upsample2xCl.backward"), () -> {
                float[] dyv = c.uniform(4 * in), dx0 = c.uniform(in), dx = dx0.clone();
                Upsample2xRef.backward(dx, dyv, planes, h, w);
                ClBuffer ddx = c.up(dx0);
                Upsample2xCl.backward(ddx, c.up(dyv), planes, h, w);
                return new float[][] {dx, c.down(ddx)};
            });
        }
        int n = 3, ca = 2, cb = 3, h = 5, w = 7, sa = ca * h * w, sb = cb * h * w;
        c.check("concat forward [3,2,5,7]+[3,3,5,7] (float, spikes)", 0, 0, List.of("ConcatCl.forward"), () -> {
            Tensor a = Tensor.wrap(c.uniform(n * sa), n, ca, h, w), b = Tensor.wrap(c.uniform(n * sb), n, cb, h, w);
            byte[] spA = c.spikes(n * sa, 0.5), spB = c.spikes(n * sb, 0.5);
            Tensor y = Tensor.zeros(n, ca + cb, h, w), yS = Tensor.zeros(n, ca + cb, h, w);
            Concat.forward(y, a, b);
            Concat.forward(
                    yS,
                    Tensor.wrap(ClChecks.toFloat(spA), n, ca, h, w),
                    Tensor.wrap(ClChecks.toFloat(spB), n, cb, h, w));
            ClBuffer dy = c.alloc(Type.FLOAT32, n * (sa + sb)), dyS = c.alloc(Type.UINT8, n * (sa + sb));
            ConcatCl.forward(dy, c.up(a.data()), c.up(b.data()), n, sa, sb);
            ConcatCl.forward(dyS, c.up(spA), c.up(spB), n, sa, sb);
            return new float[][] {y.data(), c.down(dy), yS.data(), ClChecks.toFloat(c.downBytes(dyS))};
        });
        c.check(
                "concat backward [3,5,5,7] -> both parts, then the second only",
                0,
                0,
                List.of("ConcatCl.backward"),
                () -> {
                    Tensor dy = Tensor.wrap(c.uniform(n * (sa + sb)), n, ca + cb, h, w);
                    float[] da0 = c.uniform(n * sa), db0 = c.uniform(n * sb);
                    Tensor da = Tensor.wrap(da0.clone(), n, ca, h, w), db = Tensor.wrap(db0.clone(), n, cb, h, w);
                    Concat.backward(da, db, dy, da.shape(), db.shape());
                    Concat.backward(null, db, dy, da.shape(), db.shape());
                    ClBuffer dda = c.up(da0), ddb = c.up(db0), ddy = c.up(dy.data());
                    ConcatCl.backward(dda, ddb, ddy, n, sa, sb);
                    ConcatCl.backward(null, ddb, ddy, n, sa, sb);
                    return new float[][] {da.data(), c.down(dda), db.data(), c.down(ddb)};
                });
    }

    private static void elementwise(ClChecks c) {
        ClElementwiseCases.all(c);
    }

    /**
     * The energy estimate's counts on the device against its host loop, through {@link EnergyEstimator#conv} on a
     * host and a device value: spikes under a 3×3 and a 7×7 stride-2 window, binary floats, and floats that are not
     * binary (counted as dense MACs). Integer counts: exact. The largest input spans several work-groups.
     */
    private static void energy(ClChecks c) {
        c.check(
                "energy counts: spikes 3x3 s1 and 7x7 s2 (n=2346, 122880), binary and other floats (n=2346)",
                0,
                0,
                List.of("EnergyCountCl.count"),
                () -> {
                    List<float[]> out = new ArrayList<>();
                    int[][] shapes = {{2, 3, 17, 23}, {5, 4, 64, 96}}; // [N, C, H, W]
                    int[][] windows = {{3, 1, 1}, {7, 2, 3}}; // kernel, stride, pad
                    for (int i = 0; i < shapes.length; i++) {
                        int[] s = shapes[i], k = windows[i];
                        byte[] b = c.spikes(s[0] * s[1] * s[2] * s[3], 0.2);
                        out.addAll(energyPair(
                                Var.constant(SpikeTensor.wrap(b, s)), Var.constant(c.up(b), s), k[0], k[1], k[2]));
                    }
                    int[] s = shapes[0];
                    float[] binary = ClChecks.toFloat(c.spikes(s[0] * s[1] * s[2] * s[3], 0.3));
                    float[] other = binary.clone();
                    other[5] = 0.5f;
                    for (float[] f : new float[][] {binary, other})
                        out.addAll(
                                energyPair(Var.constant(Tensor.wrap(f.clone(), s)), Var.constant(c.up(f), s), 3, 1, 1));
                    return out.toArray(float[][]::new);
                });
    }

    /** The figures of one layer counted over {@code host} and over {@code device}: inputs, rate, ACs, MACs. */
    private static List<float[]> energyPair(Var host, Var device, int kernel, int stride, int pad) {
        int[] s = host.shape();
        int outH = (s[2] + 2 * pad - kernel) / stride + 1, outW = (s[3] + 2 * pad - kernel) / stride + 1;
        List<float[]> pair = new ArrayList<>();
        for (Var v : new Var[] {host, device}) {
            EnergyEstimator e = new EnergyEstimator();
            e.conv("layer", v, 8, kernel, stride, pad, 1, outH, outW);
            EnergyEstimator.LayerReport r = e.report(1, 1).layers().get(0);
            pair.add(
                    new float[] {(float) r.inputFiringRate(), r.binaryInput() ? 1 : 0, (float) r.acs(), (float) r.macs()
                    });
        }
        return pair;
    }

    private static void adamw(ClChecks c) {
        int n = 1001;
        // One update of values of order 1 by steps of order lr: float rounding of a few terms.
        c.check("adamw step 1 and 7, n=" + n, 1e-7, 1e-5, List.of("AdamWCl.step"), () -> {
            float[] p = c.uniform(n), m = c.uniform(n, -0.1, 0.1), v = c.uniform(n, 0, 0.01);
            float[] g1 = c.uniform(n), g2 = c.uniform(n);
            ClBuffer dp = c.up(p), dm = c.up(m), dv = c.up(v);
            AdamWRef.step(p, g1, m, v, 1e-3f, 0.9f, 0.999f, 1e-8f, 1e-4f, 1);
            AdamWCl.step(dp, c.up(g1), dm, dv, 1e-3f, 0.9f, 0.999f, 1e-8f, 1e-4f, 1, n);
            AdamWRef.step(p, g2, m, v, 1e-3f, 0.9f, 0.999f, 1e-8f, 1e-4f, 7);
            AdamWCl.step(dp, c.up(g2), dm, dv, 1e-3f, 0.9f, 0.999f, 1e-8f, 1e-4f, 7, n);
            return new float[][] {p, c.down(dp), m, c.down(dm), v, c.down(dv)};
        });
    }
}
