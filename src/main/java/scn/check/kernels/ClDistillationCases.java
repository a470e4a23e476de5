package scn.check.kernels;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import scn.autograd.Parameter;
import scn.autograd.Tape;
import scn.autograd.Var;
import scn.backend.opencl.ClBuffer;
import scn.backend.opencl.DistillationLossCl;
import scn.detect.CenterNetLoss;
import scn.tensor.Tensor;
import scn.train.Distillation;
import scn.train.DistillationLoss;

/**
 * The cases of {@link ClChecks} for the distillation term: {@link DistillationLossCl} against
 * {@link DistillationLoss}, values and gradients, every target at temperatures 1 and 2 (logit only at 1, the
 * only temperature {@link Distillation} accepts for it) under the three normalisations, and the regression term.
 * Shapes of 3 logits (below one work-group), 378 (between one and two work-groups of 256, not a multiple of 32)
 * and 9102 (36 work-groups' worth: on a device of few compute units, PoCL's or oclgrind's, more than the kernels
 * launch, so the grid-stride loops take several turns). Logits are spread over ±6 with three cells set apart:
 * student and teacher saturated at opposite ends (±40), equal, and both saturated at one end (25 and 24), where
 * the sigmoids are 1 in float and only the softplus form keeps the divergence finite and small.
 *
 * <p>Tolerances, {@code |got − ref| ≤ atol + rtol·|ref|}. The reference works in double and rounds once; the
 * kernels work in float. A gradient is a few float operations on sigmoids, whose difference {@code p_s − p_t}
 * cancels: its absolute error is a few units in the last place of 1 (2⁻²³ ≈ 1.2e-7), times at most
 * {@code 2T·¼} or {@code T}, so atol 1e-6 with T ≤ 2. The values are sums of non-negative terms, which float
 * sums to a relative error of about (terms per work-item + log₂ of the tree sizes)·2⁻²⁴, some 1e-6 here; each
 * term's own error (exp and log1p, within a few units in the last place) adds as much again: rtol 1e-5. So that
 * one absolute tolerance fits every normalisation, the heatmap's value and gradients are compared multiplied back
 * by the divisor (a missing or doubled division still shows). The regression gradients are the weight over the
 * total, of order 1/cells: a sigmoid, a float sum and a division, rtol 1e-5; atol 1e-9 only for weights below
 * float's range (σ(−100) is 0 in float, 4e-44 in double).
 */
final class ClDistillationCases {
    /** The number of checks {@link #all} runs (part of {@link ClCheckCases#COUNT}). */
    static final int COUNT = 6;

    private static final int[][] SHAPES = {{1, 1, 1, 3}, {2, 3, 7, 9}, {3, 2, 37, 41}}; // [B, k, H, W]

    private ClDistillationCases() {}

    static void all(ClChecks c) {
        heatmap(c, Distillation.Target.PROB, 1f);
        heatmap(c, Distillation.Target.PROB, 2f);
        heatmap(c, Distillation.Target.LOGIT, 1f);
        heatmap(c, Distillation.Target.KL, 1f);
        heatmap(c, Distillation.Target.KL, 2f);
        regression(c);
    }

    /** One target and temperature, every shape and normalisation; the value lands in a slot among others. */
    private static void heatmap(ClChecks c, Distillation.Target target, float temperature) {
        String what = target.name().toLowerCase(Locale.ROOT) + " T=" + (int) temperature;
        c.check(
                "distillation heatmap " + what + ", norms sum/mean/objects, n=3, 378, 9102: value and gradient",
                1e-6,
                1e-5,
                List.of("DistillationLossCl.heatmap"),
                () -> {
                    List<float[]> out = new ArrayList<>();
                    for (int[] s : SHAPES) {
                        int n = s[0] * s[1] * s[2] * s[3];
                        float[] zs = c.uniform(n, -6, 6), zt = c.uniform(n, -6, 6);
                        float[][] special = {{40, -40}, {1.5f, 1.5f}, {25, 24}};
                        for (int i = 0; i < special.length && i < n; i++) {
                            zs[i] = special[i][0];
                            zt[i] = special[i][1];
                        }
                        ClBuffer dzs = c.up(zs), dzt = c.up(zt);
                        // objects: none (the divisor is then 1) for the first shape, some for the others
                        int objects = s == SHAPES[0] ? 0 : 7;
                        for (Distillation.Norm norm : Distillation.Norm.values()) {
                            Distillation d = new Distillation(1f, target, temperature, norm, false);
                            int divisor = switch (norm) {
                                case SUM -> s[0];
                                case MEAN -> n;
                                case OBJECTS -> Math.max(1, objects);
                            };
                            Parameter p = new Parameter("z", Tensor.wrap(zs.clone(), s));
                            Var loss = DistillationLoss.heatmap(p, Tensor.wrap(zt.clone(), s), d, objects);
                            float refValue = loss.value().item();
                            Tape.backward(loss);
                            // the gradient overwrites what was there; the value goes into slot 1 of 3
                            ClBuffer stats = c.up(new float[] {7, 7, 7}), dz = c.up(c.uniform(n));
                            DistillationLossCl.heatmap(
                                    stats, 1, dz, dzs, dzt, n, target.ordinal(), temperature, (float) divisor);
                            float[] got = c.down(stats);
                            out.add(new float[] {7, times(refValue, divisor), 7});
                            out.add(new float[] {got[0], times(got[1], divisor), got[2]});
                            out.add(times(p.grad().data(), divisor));
                            out.add(times(c.down(dz), divisor));
                        }
                    }
                    return out.toArray(float[][]::new);
                });
    }

    private static float times(float v, int f) {
        return (float) ((double) v * f);
    }

    private static float[] times(float[] a, int f) {
        float[] out = new float[a.length];
        for (int i = 0; i < a.length; i++) out[i] = times(a[i], f);
        return out;
    }

    /** The regression term, offsets and sizes, on one cell with one class and on the shapes above. */
    private static void regression(ClChecks c) {
        c.check(
                "distillation regression B=1 k=1 1x1, B=2 k=3 7x9, B=3 k=2 37x41: value, dOffset, dSize",
                1e-9,
                1e-5,
                List.of("DistillationLossCl.regression"),
                () -> {
                    List<float[]> out = new ArrayList<>();
                    int[][] shapes = {{1, 1, 1, 1}, SHAPES[1], SHAPES[2]};
                    for (int[] s : shapes) {
                        int b = s[0], k = s[1], h = s[2], w = s[3], cells = h * w, reg = 2 * b * cells;
                        float[] zt = c.uniform(b * k * cells, -6, 6);
                        float[] so = c.uniform(reg), ss = c.uniform(reg, 0, 5);
                        float[] to = c.uniform(reg), ts = c.uniform(reg, 0, 5);
                        if (cells > 2) {
                            // a cell the teacher sees nothing in (its weight underflows float), and equal maps
                            for (int q = 0; q < k; q++) zt[q * cells] = -100;
                            so[1] = to[1];
                            ss[1] = ts[1];
                        }
                        Parameter po = new Parameter("offset", Tensor.wrap(so.clone(), b, 2, h, w)),
                                ps = new Parameter("size", Tensor.wrap(ss.clone(), b, 2, h, w));
                        Var loss = DistillationLoss.regression(
                                po,
                                ps,
                                Tensor.wrap(to.clone(), b, 2, h, w),
                                Tensor.wrap(ts.clone(), b, 2, h, w),
                                Tensor.wrap(zt.clone(), b, k, h, w));
                        float refValue = loss.value().item();
                        Tape.backward(loss);
                        ClBuffer stats = c.up(new float[] {7, 7}),
                                dOff = c.up(c.uniform(reg)),
                                dSize = c.up(c.uniform(reg));
                        // The size weight is the reference's (private) one, the detection loss's.
                        DistillationLossCl.regression(
                                stats,
                                0,
                                dOff,
                                dSize,
                                c.up(so),
                                c.up(ss),
                                c.up(to),
                                c.up(ts),
                                c.up(zt),
                                b,
                                k,
                                cells,
                                CenterNetLoss.SIZE_WEIGHT);
                        out.add(new float[] {refValue, 7});
                        out.add(c.down(stats));
                        out.add(po.grad().data());
                        out.add(c.down(dOff));
                        out.add(ps.grad().data());
                        out.add(c.down(dSize));
                    }
                    return out.toArray(float[][]::new);
                });
    }
}
