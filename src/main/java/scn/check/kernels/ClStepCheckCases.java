package scn.check.kernels;

import java.util.List;
import scn.autograd.CustomOp;
import scn.autograd.Functional;
import scn.autograd.Parameter;
import scn.autograd.Tape;
import scn.autograd.Var;
import scn.backend.DeviceBuffer.Type;
import scn.backend.opencl.BatchNormPlifCl;
import scn.backend.opencl.CenterNetLossCl;
import scn.backend.opencl.ChannelBiasCl;
import scn.backend.opencl.ClBuffer;
import scn.backend.opencl.GradNormCl;
import scn.detect.CenterNetLoss;
import scn.detect.CenterNetTargets;
import scn.tensor.SpikeTensor;
import scn.tensor.Tensor;

/**
 * The cases of {@link ClChecks} for the entries a whole training step adds: the fused batch norm +
 * residual + PLIF, the per-channel bias of the head outputs, the CenterNet loss and the squared
 * gradient norm, each against its CPU reference on small odd shapes. Tolerances as in
 * {@link ClCheckCases}: sums in another order get {@code atol = 1e-6·K}, {@code rtol = 1e-4}; spikes must
 * match exactly; the loss's per-element gradients are computed in double on both sides where the device
 * has it and rounded once, so they get {@code rtol 1e-5} for the last-place differences of exp and log.
 */
final class ClStepCheckCases {
    /** The number of checks {@link #all} runs (part of {@link ClCheckCases#COUNT}). */
    static final int COUNT = 7;

    private static final double SUM_RTOL = 1e-4;

    private ClStepCheckCases() {}

    static void all(ClChecks c) {
        batchNormPlif(c, "none");
        batchNormPlif(c, "spikes");
        batchNormPlif(c, "float");
        batchNormPlifEval(c);
        channelBias(c);
        centerNetLoss(c);
        gradNorm(c);
    }

    /** Training forward and backward of {@code plif(bn(x) + residual)} against {@link Functional#batchNormPlif}. */
    private static void batchNormPlif(ClChecks c, String residualKind) {
        int t = 3, b = 2, ch = 5, h = 7, w = 9, hw = h * w, n = t * b * ch * hw;
        c.check(
                "batch_norm_plif T=3 B=2 C=5 7x9, residual " + residualKind + ": spikes, statistics, every gradient",
                1e-6 * t * b * hw,
                SUM_RTOL,
                List.of("BatchNormPlifCl.forward", "BatchNormPlifCl.backward"),
                () -> {
                    // Inputs spread so that about a third of the neurons fire; w = 0.3 so decay is not 1/2.
                    float[] x = c.uniform(n, -1, 3),
                            gamma = c.uniform(ch, 0.5, 1.5),
                            beta = c.uniform(ch, 0, 1),
                            gs = c.uniform(n);
                    float[] rm = c.uniform(ch), rv = c.uniform(ch, 0.5, 2);
                    byte[] rs = c.spikes(n, 0.3);
                    float[] rf = c.uniform(n, -0.5, 0.5);
                    float wv = 0.3f;
                    Parameter px = new Parameter("x", Tensor.wrap(x.clone(), t, b, ch, h, w)),
                            pg = new Parameter("gamma", Tensor.wrap(gamma.clone(), ch)),
                            pb = new Parameter("beta", Tensor.wrap(beta.clone(), ch)),
                            pw = new Parameter("w", Tensor.scalar(wv));
                    Parameter pr = switch (residualKind) {
                        case "spikes" ->
                            new Parameter(
                                    "r",
                                    SpikeTensor.wrap(rs.clone(), t, b, ch, h, w).toFloat());
                        case "float" -> new Parameter("r", Tensor.wrap(rf.clone(), t, b, ch, h, w));
                        default -> null;
                    };
                    Tensor refMean = Tensor.wrap(rm.clone(), ch), refVar = Tensor.wrap(rv.clone(), ch);
                    Var s = Functional.batchNormPlif(
                            px, pg, pb, Var.constant(refMean), Var.constant(refVar), true, 0.1f, 1e-5f, pr, pw);
                    Tape.backward(CustomOp.apply(
                            Tensor.scalar(0),
                            g -> {
                                float[] into = s.gradBuffer().data();
                                for (int i = 0; i < n; i++) into[i] += gs[i];
                            },
                            s));

                    ClBuffer dS = c.alloc(Type.UINT8, n),
                            pre = c.alloc(Type.FLOAT32, n),
                            dPre = c.alloc(Type.FLOAT32, n);
                    ClBuffer dx = c.up(new float[n]),
                            dGamma = c.up(new float[ch]),
                            dBeta = c.up(new float[ch]),
                            dw = c.up(new float[1]);
                    ClBuffer dMean = c.up(rm),
                            dVar = c.up(rv),
                            mean = c.alloc(Type.FLOAT32, ch),
                            invStd = c.alloc(Type.FLOAT32, ch);
                    ClBuffer dRes = pr == null ? null : c.up(new float[n]);
                    ClBuffer res = switch (residualKind) {
                        case "spikes" -> c.up(rs);
                        case "float" -> c.up(rf);
                        default -> null;
                    };
                    ClBuffer dX = c.up(x), dG = c.up(gamma), dB = c.up(beta), dW = c.up(new float[] {wv});
                    BatchNormPlifCl.forward(
                            dS, pre, dX, dG, dB, dMean, dVar, mean, invStd, res, dW, t, b, ch, hw, true, 0.1f, 1e-5f);
                    BatchNormPlifCl.backward(
                            dx, dGamma, dBeta, dRes, dw, pre, dPre, c.up(gs), dX, dG, dB, mean, invStd, res, dW, t, b,
                            ch, hw);
                    return new float[][] {
                        ClChecks.toFloat(s.spikes().data()),
                        ClChecks.toFloat(c.downBytes(dS)),
                        refMean.data(),
                        c.down(dMean),
                        refVar.data(),
                        c.down(dVar),
                        px.grad().data(),
                        c.down(dx),
                        pg.grad().data(),
                        c.down(dGamma),
                        pb.grad().data(),
                        c.down(dBeta),
                        pw.grad().data(),
                        c.down(dw),
                        pr == null ? new float[0] : pr.grad().data(),
                        pr == null ? new float[0] : c.down(dRes)
                    };
                });
    }

    /** Evaluation forward with the running statistics and a spike residual. */
    private static void batchNormPlifEval(ClChecks c) {
        int t = 2, b = 1, ch = 3, hw = 11, n = t * b * ch * hw;
        c.check(
                "batch_norm_plif evaluation T=2 B=1 C=3 HW=11, spike residual",
                0,
                0,
                List.of("BatchNormPlifCl.forward"),
                () -> {
                    float[] x = c.uniform(n, -1, 3),
                            gamma = c.uniform(ch, 0.5, 1.5),
                            beta = c.uniform(ch),
                            rm = c.uniform(ch),
                            rv = c.uniform(ch, 0.5, 2);
                    byte[] rs = c.spikes(n, 0.3);
                    Var s = Functional.batchNormPlif(
                            Var.constant(Tensor.wrap(x.clone(), t, b, ch, 1, hw)),
                            Var.constant(Tensor.wrap(gamma, ch)),
                            Var.constant(Tensor.wrap(beta, ch)),
                            Var.constant(Tensor.wrap(rm.clone(), ch)),
                            Var.constant(Tensor.wrap(rv.clone(), ch)),
                            false,
                            0.1f,
                            1e-5f,
                            Var.constant(SpikeTensor.wrap(rs.clone(), t, b, ch, 1, hw)),
                            Var.constant(Tensor.scalar(0f)));
                    ClBuffer dS = c.alloc(Type.UINT8, n);
                    BatchNormPlifCl.forward(
                            dS,
                            c.alloc(Type.FLOAT32, n),
                            c.up(x),
                            c.up(gamma),
                            c.up(beta),
                            c.up(rm),
                            c.up(rv),
                            null,
                            null,
                            c.up(rs),
                            c.up(new float[1]),
                            t,
                            b,
                            ch,
                            hw,
                            false,
                            0.1f,
                            1e-5f);
                    return new float[][] {ClChecks.toFloat(s.spikes().data()), ClChecks.toFloat(c.downBytes(dS))};
                });
    }

    /** {@code y += bias[c]} and {@code db[c] += Σ dy} on {@code [N, C, HW]}, from non-zero starting values. */
    private static void channelBias(ClChecks c) {
        int n = 3, ch = 5, hw = 301;
        c.check(
                "channel_bias N=3 C=5 HW=301 forward and backward (accumulating)",
                1e-6 * n * hw,
                SUM_RTOL,
                List.of("ChannelBiasCl.forward", "ChannelBiasCl.backward"),
                () -> {
                    float[] y = c.uniform(n * ch * hw),
                            bias = c.uniform(ch),
                            dy = c.uniform(n * ch * hw),
                            db = c.uniform(ch);
                    float[] yRef = y.clone(), dbRef = db.clone();
                    for (int i = 0; i < y.length; i++) yRef[i] += bias[(i / hw) % ch];
                    for (int k = 0; k < ch; k++) {
                        double s = 0;
                        for (int j = 0; j < n; j++) for (int p = 0; p < hw; p++) s += dy[(j * ch + k) * hw + p];
                        dbRef[k] += (float) s;
                    }
                    ClBuffer dY = c.up(y), dDb = c.up(db);
                    ChannelBiasCl.forward(dY, c.up(bias), n, ch, hw);
                    ChannelBiasCl.backward(dDb, c.up(dy), n, ch, hw);
                    return new float[][] {yRef, c.down(dY), dbRef, c.down(dDb)};
                });
    }

    /**
     * The loss terms and the three output gradients against {@link CenterNetLoss#compute}, logits beyond the clamp
     * included.
     */
    private static void centerNetLoss(ClChecks c) {
        int b = 2, classes = 2, h = 7, w = 9, slots = 5, plane = h * w;
        c.check(
                "centernet_loss B=2 7x9, 5 object slots (two objects on one cell), clamped logits",
                1e-6,
                1e-5,
                List.of("CenterNetLossCl.compute"),
                () -> {
                    CenterNetTargets.Geometry geo = new CenterNetTargets.Geometry(classes, h, w, 4, slots);
                    // (x, y, w, h, class) in pixels at stride 4: the last two objects of sample 0 share a centre cell.
                    Tensor boxes = Tensor.wrap(
                            new float[] {
                                2, 3, 10, 8, 0, 14, 10, 12, 6, 1, 15, 11, 10, 4, 0, 4, 4, 20, 16, 1, 0, 0, 0, 0, -1, 0,
                                0, 0, 0, -1
                            },
                            b,
                            3,
                            5);
                    CenterNetTargets.Batch targets = CenterNetTargets.forBatch(geo, boxes);
                    float[] z = c.uniform(b * classes * plane, -4, 4),
                            off = c.uniform(b * 2 * plane),
                            size = c.uniform(b * 2 * plane, 0, 5);
                    z[0] = -12f; // sigmoid below 1e-4: the clamp stops the gradient
                    z[1] = 12f;
                    Parameter pz = new Parameter("z", Tensor.wrap(z.clone(), b, classes, h, w)),
                            po = new Parameter("o", Tensor.wrap(off.clone(), b, 2, h, w)),
                            ps = new Parameter("s", Tensor.wrap(size.clone(), b, 2, h, w));
                    CenterNetLoss.Terms ref = CenterNetLoss.compute(pz, po, ps, targets);
                    Tape.backward(ref.total());
                    try (CenterNetLossCl.Targets dt = new CenterNetLossCl.Targets(c.dev, b, classes, h, w, slots)) {
                        dt.write(
                                targets.heatmap().data(),
                                targets.indices(),
                                targets.mask().data(),
                                targets.offsets().data(),
                                targets.sizes().data(),
                                targets.totalObjects());
                        ClBuffer stats = c.alloc(Type.FLOAT32, CenterNetLossCl.STATS);
                        ClBuffer dz = c.alloc(Type.FLOAT32, z.length),
                                dOff = c.alloc(Type.FLOAT32, off.length),
                                dSize = c.alloc(Type.FLOAT32, size.length);
                        CenterNetLossCl.compute(
                                stats,
                                dz,
                                dOff,
                                dSize,
                                c.up(z),
                                c.up(off),
                                c.up(size),
                                dt,
                                CenterNetLoss.OFFSET_WEIGHT,
                                CenterNetLoss.SIZE_WEIGHT);
                        float[] got = c.down(stats);
                        return new float[][] {
                            {ref.total().value().item(), ref.heatmap(), ref.offset(), ref.size()},
                            {got[0], got[1], got[2], got[3]},
                            pz.grad().data(),
                            c.down(dz),
                            po.grad().data(),
                            c.down(dOff),
                            ps.grad().data(),
                            c.down(dSize)
                        };
                    }
                });
    }

    /** {@code Σ x²} in double on the host against the device's two-stage float reduction, one and many work-groups. */
    private static void gradNorm(ClChecks c) {
        int n = 100_003;
        c.check(
                "grad_norm sum of squares n=3 and n=100003 into a stats slot",
                1e-6,
                SUM_RTOL,
                List.of("GradNormCl.sumSquares"),
                () -> {
                    float[] small = c.uniform(3), large = c.uniform(n);
                    ClBuffer out = c.up(new float[] {7, 7, 7});
                    GradNormCl.sumSquares(out, 0, c.up(small), 3);
                    GradNormCl.sumSquares(out, 2, c.up(large), n);
                    return new float[][] {{(float) squares(small), 7, (float) squares(large)}, c.down(out)};
                });
    }

    private static double squares(float[] a) {
        double s = 0;
        for (float v : a) s += (double) v * v;
        return s;
    }
}
