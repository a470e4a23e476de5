package scn.train;

import java.util.Arrays;
import scn.autograd.CustomOp;
import scn.autograd.Var;
import scn.backend.DeviceBuffer;
import scn.backend.opencl.ClArena;
import scn.backend.opencl.ClBuffer;
import scn.backend.opencl.DistillationLossCl;
import scn.backend.opencl.ElementwiseCl;
import scn.tensor.Arena;
import scn.tensor.Shape;
import scn.tensor.Tensor;

/**
 * The distillation term (SPEC section 5 by default, {@link Distillation} for the others), between the
 * student's time-averaged head outputs and the teacher's. The teacher's outputs are constants (a frozen
 * network run without a tape), so only the student gets a gradient.
 *
 * <p>Heatmap, per cell with student logit {@code z_s}, teacher logit {@code z_t}, {@code a = 1/T},
 * {@code p_s = σ(a z_s)}, {@code p_t = σ(a z_t)}:
 *
 * <pre>
 * prob   T² (p_s − p_t)²                         ∂/∂z_s = 2 T (p_s − p_t) p_s (1 − p_s)
 * logit  (z_s − z_t)²                             ∂/∂z_s = 2 (z_s − z_t)
 * kl     T² [p_t ln(p_t/p_s) + (1−p_t) ln((1−p_t)/(1−p_s))]   ∂/∂z_s = T (p_s − p_t)
 * </pre>
 *
 * summed over {@code [B, k, H, W]} and divided by {@link Distillation.Norm}'s count.
 *
 * <p>Regression ({@link Distillation#regression()}): {@code Σ w (|Δoffset|₁ + 0.1 |Δsize|₁) / (Σ w + 1e-4)}
 * over the cells of {@code [B, H, W]}, where {@code w} is the teacher's most confident class probability
 * at the cell: the teacher's boxes matter where it sees an object, and the 0.1 is the size loss's weight
 * in the detection loss.
 */
public final class DistillationLoss {
    private static final float SIZE_WEIGHT = 0.1f;

    private DistillationLoss() {}

    /** The parts of the term, each unweighted (α is applied by the caller). */
    public record Terms(Var heatmap, Var regression) {}

    /**
     * The heatmap term of {@code d} between the student's and the teacher's outputs, wherever they live: on one
     * device it is computed there ({@link DistillationLossCl}), and only its value comes back.
     */
    public static Var heatmap(Var studentLogits, Var teacherLogits, Distillation d, int objects) {
        if (!together(studentLogits, teacherLogits)) return heatmap(studentLogits, teacherLogits.value(), d, objects);
        int[] s = studentLogits.shape();
        Shape.requireSame("DistillationLoss", "student heatmap", s, "teacher heatmap", teacherLogits.shape());
        int n = Shape.size(s);
        ClArena arena = studentLogits.buffer().device().arena();
        ClBuffer stats = arena.take(DeviceBuffer.Type.FLOAT32, 1), dz = arena.take(DeviceBuffer.Type.FLOAT32, n);
        DistillationLossCl.heatmap(
                stats,
                0,
                dz,
                studentLogits.buffer(),
                teacherLogits.buffer(),
                n,
                d.target().ordinal(),
                d.temperature(),
                (float) divisor(d.norm(), s, objects));
        return deviceTerm(stats, new Var[] {studentLogits}, new ClBuffer[] {dz});
    }

    /** The regression term (see the other {@code regression}) wherever the maps live, as {@link #heatmap(Var, Var, Distillation, int)}. */
    public static Var regression(
            Var studentOffset, Var studentSize, Var teacherOffset, Var teacherSize, Var teacherLogits) {
        if (!together(studentOffset, studentSize, teacherOffset, teacherSize, teacherLogits))
            return regression(
                    studentOffset, studentSize, teacherOffset.value(), teacherSize.value(), teacherLogits.value());
        int[] s = studentOffset.shape(), h = teacherLogits.shape();
        Shape.requireSame("DistillationLoss", "student offset", s, "teacher offset", teacherOffset.shape());
        Shape.requireSame("DistillationLoss", "student size", studentSize.shape(), "teacher size", teacherSize.shape());
        ClArena arena = studentOffset.buffer().device().arena();
        int n = Shape.size(s);
        ClBuffer stats = arena.take(DeviceBuffer.Type.FLOAT32, 1);
        ClBuffer dOffset = arena.take(DeviceBuffer.Type.FLOAT32, n), dSize = arena.take(DeviceBuffer.Type.FLOAT32, n);
        DistillationLossCl.regression(
                stats,
                0,
                dOffset,
                dSize,
                studentOffset.buffer(),
                studentSize.buffer(),
                teacherOffset.buffer(),
                teacherSize.buffer(),
                teacherLogits.buffer(),
                s[0],
                h[1],
                s[2] * s[3],
                SIZE_WEIGHT);
        return deviceTerm(stats, new Var[] {studentOffset, studentSize}, new ClBuffer[] {dOffset, dSize});
    }

    /** Whether every one of {@code vs} lives on one device. */
    private static boolean together(Var... vs) {
        for (Var v : vs)
            if (!v.onDevice() || v.buffer().device() != vs[0].buffer().device()) return false;
        return true;
    }

    /** The term whose value the kernel left in {@code stats[0]}, its gradients {@code grads} for {@code inputs}. */
    private static Var deviceTerm(ClBuffer stats, Var[] inputs, ClBuffer[] grads) {
        float[] value = new float[1];
        stats.device().read(value, stats);
        stats.device().arena().giveBack(stats);
        return CustomOp.deviceTerm(value[0], inputs, grads);
    }

    /** What {@code norm} divides the sum over the cells of {@code shape [B, k, H, W]} by. */
    private static double divisor(Distillation.Norm norm, int[] shape, int objects) {
        return switch (norm) {
            case SUM -> shape[0];
            case MEAN -> Shape.size(shape);
            case OBJECTS -> Math.max(1, objects);
        };
    }

    /** The heatmap term of {@code d} (unweighted); {@code objects} is the batch's object count, for {@code norm objects}. */
    public static Var heatmap(Var studentLogits, Tensor teacherLogits, Distillation d, int objects) {
        int[] s = studentLogits.shape();
        Shape.requireSame("DistillationLoss", "student heatmap", s, "teacher heatmap", teacherLogits.shapeRef());
        float[] z = studentLogits.value().data();
        float[] t = teacherLogits.data();
        float[] dz = new float[Shape.size(s)]; // [B, k, H, W]
        double divisor = divisor(d.norm(), s, objects);
        double temp = d.temperature(), a = 1 / temp;
        double sum = 0;
        for (int i = 0; i < dz.length; i++) {
            double value, grad;
            switch (d.target()) {
                case PROB -> {
                    double ps = sigmoid(a * z[i]), diff = ps - sigmoid(a * t[i]);
                    value = temp * temp * diff * diff;
                    grad = 2 * temp * diff * ps * (1 - ps);
                }
                case LOGIT -> {
                    double diff = (double) z[i] - t[i];
                    value = diff * diff;
                    grad = 2 * diff;
                }
                case KL -> {
                    double us = a * z[i], ut = a * t[i], pt = sigmoid(ut);
                    // ln σ(u) = −softplus(−u) and ln(1 − σ(u)) = −softplus(u): finite for every finite logit
                    double kl = pt * (softplus(-us) - softplus(-ut)) + (1 - pt) * (softplus(us) - softplus(ut));
                    value = temp * temp * kl;
                    grad = temp * (sigmoid(us) - pt);
                }
                default -> throw new AssertionError(d.target());
            }
            sum += value;
            dz[i] = (float) (grad / divisor);
        }
        return CustomOp.apply(
                Tensor.scalar((float) (sum / divisor)), g -> accumulate(studentLogits, dz, g.item()), studentLogits);
    }

    /**
     * The regression term (unweighted): L1 between the student's and the teacher's offset and size maps
     * {@code [B, 2, H, W]}, weighted per cell by the teacher's most confident class probability (from its
     * heatmap logits {@code [B, k, H, W]}).
     */
    public static Var regression(
            Var studentOffset, Var studentSize, Tensor teacherOffset, Tensor teacherSize, Tensor teacherLogits) {
        int[] s = studentOffset.shape();
        Shape.requireSame("DistillationLoss", "student offset", s, "teacher offset", teacherOffset.shapeRef());
        Shape.requireSame(
                "DistillationLoss", "student size", studentSize.shape(), "teacher size", teacherSize.shapeRef());
        int[] h = teacherLogits.shapeRef();
        int batch = s[0], channels = s[1], cells = s[2] * s[3], classes = h[1];
        if (h[0] != batch || h[2] * h[3] != cells)
            throw new IllegalArgumentException("DistillationLoss: teacher heatmap " + Shape.str(h)
                    + " does not match the regression maps " + Shape.str(s));
        float[] zt = teacherLogits.data();
        double[] w = new double[batch * cells]; // [B, H·W]
        double total = 1e-4;
        for (int b = 0; b < batch; b++) {
            for (int p = 0; p < cells; p++) {
                double best = 0;
                for (int c = 0; c < classes; c++) best = Math.max(best, sigmoid(zt[(b * classes + c) * cells + p]));
                w[b * cells + p] = best;
                total += best;
            }
        }
        float[] so = studentOffset.value().data(), to = teacherOffset.data();
        float[] ss = studentSize.value().data(), ts = teacherSize.data();
        // the maps' arrays may be longer than the maps (arena arrays): size the gradients by the shape
        float[] dOffset = new float[Shape.size(s)], dSize = new float[Shape.size(s)]; // [B, 2, H, W]
        double sum = 0;
        for (int b = 0; b < batch; b++) {
            for (int ch = 0; ch < channels; ch++) {
                for (int p = 0; p < cells; p++) {
                    int i = (b * channels + ch) * cells + p;
                    double wp = w[b * cells + p] / total;
                    double dOff = (double) so[i] - to[i], dSz = (double) ss[i] - ts[i];
                    sum += wp * (Math.abs(dOff) + SIZE_WEIGHT * Math.abs(dSz));
                    dOffset[i] = (float) (wp * Math.signum(dOff));
                    dSize[i] = (float) (wp * SIZE_WEIGHT * Math.signum(dSz));
                }
            }
        }
        return CustomOp.apply(
                Tensor.scalar((float) sum),
                g -> {
                    float up = g.item();
                    accumulate(studentOffset, dOffset, up);
                    accumulate(studentSize, dSize, up);
                },
                studentOffset,
                studentSize);
    }

    /**
     * Attention transfer (Zagoruyko and Komodakis, 2017) between the student's and the teacher's feature maps of one
     * resolution, {@code [T, B, C, H, W]} each (their channel counts may differ), each averaged over time first: the
     * student's spike rates against the teacher's mean activations. Per sample, the attention map is
     * {@code a = Σ_c f_c²} over the {@code H·W} cells, scaled to unit length, {@code q = a / ‖a‖}; the term is
     * {@code Σ_b ‖q_s − q_t‖² / B}. It matches where each network puts its activity, not the activity's size, so
     * rates and ReLU activations compare without an adapter. Gradient, per sample, {@code f} the time mean:
     *
     * <pre>
     * ∂L/∂q = 2 (q_s − q_t) / B      ∂L/∂a = (∂L/∂q − q (q · ∂L/∂q)) / ‖a‖      ∂L/∂f_c = 2 f_c ∂L/∂a
     * </pre>
     *
     * and {@code ∂L/∂f_c / T} at every time step. A silent sample ({@code a = 0}) has {@code q = 0} and no gradient.
     * Computed on the host: features on a device are read back, and the gradient sent there.
     */
    public static Var attention(Var student, Var teacher) {
        int[] s = student.shape(), t = teacher.shape();
        if (s.length != 5 || t.length != 5 || s[0] != t[0] || s[1] != t[1] || s[3] != t[3] || s[4] != t[4])
            throw new IllegalArgumentException("DistillationLoss.attention: student features " + Shape.str(s)
                    + " and teacher features " + Shape.str(t) + " must be [T, B, C, H, W] of one T, batch and size");
        int steps = s[0], batch = s[1], channels = s[2], cells = s[3] * s[4];
        float[] fs = timeMean(student.value().data(), steps, Shape.size(s) / steps);
        float[] ft = timeMean(teacher.value().data(), steps, Shape.size(t) / steps);
        float[] df = Arena.floats(Shape.size(s)); // [T, B, C, H, W]; the step's arena recycles it
        Arrays.fill(df, 0, Shape.size(s), 0f);
        int perStep = Shape.size(s) / steps;
        double sum = 0;
        float[] qs = Arena.floats(cells), qt = Arena.floats(cells); // arena arrays: a step allocates nothing
        for (int b = 0; b < batch; b++) {
            double ns = attentionMap(fs, b, channels, cells, qs);
            attentionMap(ft, b, t[2], cells, qt);
            double dot = 0; // q_s · ∂L/∂q_s
            for (int p = 0; p < cells; p++) {
                double diff = qs[p] - qt[p];
                sum += diff * diff;
                qt[p] = (float) (2 * diff / batch); // ∂L/∂q_s, in place
                dot += qs[p] * qt[p];
            }
            if (ns == 0) continue;
            for (int p = 0; p < cells; p++) qs[p] = (float) ((qt[p] - qs[p] * dot) / ns); // ∂L/∂a, in place
            for (int c = 0; c < channels; c++) {
                int base = (b * channels + c) * cells;
                for (int p = 0; p < cells; p++) {
                    float d = (float) (2 * fs[base + p] * qs[p] / steps);
                    for (int step = 0; step < steps; step++) df[step * perStep + base + p] = d;
                }
            }
        }
        Arena.giveBack(fs);
        Arena.giveBack(qs);
        Arena.giveBack(qt);
        Arena.giveBack(ft);
        return CustomOp.apply(
                Tensor.scalar((float) (sum / batch)),
                g -> {
                    accumulate(student, df, g.item());
                    Arena.giveBack(df);
                },
                student);
    }

    /** The mean over the leading axis of {@code x [steps, n]}, in an array of the step's arena. */
    private static float[] timeMean(float[] x, int steps, int n) {
        float[] mean = Arena.floats(n);
        for (int i = 0; i < n; i++) {
            double sum = 0;
            for (int step = 0; step < steps; step++) sum += x[step * n + i];
            mean[i] = (float) (sum / steps);
        }
        return mean;
    }

    /**
     * Sample {@code b}'s attention map {@code Σ_c f_c²} of {@code f [B, channels, cells]} into {@code q}, scaled to
     * unit length; returns its length before scaling.
     */
    private static double attentionMap(float[] f, int b, int channels, int cells, float[] q) {
        double norm = 0;
        for (int p = 0; p < cells; p++) {
            double a = 0;
            for (int c = 0; c < channels; c++) {
                float v = f[(b * channels + c) * cells + p];
                a += (double) v * v;
            }
            q[p] = (float) a;
            norm += a * a;
        }
        norm = Math.sqrt(norm);
        if (norm > 0) for (int p = 0; p < cells; p++) q[p] = (float) (q[p] / norm);
        return norm;
    }

    /**
     * {@code v}'s gradient {@code += d·up}, on the host or, sent there, on its device; {@code d} may be longer than
     * {@code v} (an arena's array).
     */
    private static void accumulate(Var v, float[] d, float up) {
        if (!v.requiresGrad()) return;
        int n = Shape.size(v.shape());
        if (v.onDevice()) {
            ClArena arena = v.buffer().device().arena();
            ClBuffer b = arena.take(DeviceBuffer.Type.FLOAT32, n);
            b.device().write(b, d.length == n ? d : Arrays.copyOf(d, n));
            ElementwiseCl.scaleBackward(v.deviceGradBuffer(), b, up, n);
            arena.giveBack(b);
            return;
        }
        float[] into = v.gradBuffer().data();
        for (int i = 0; i < n; i++) into[i] += d[i] * up;
    }

    private static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }

    /** {@code ln(1 + e^u)}, without overflow for large {@code u}. */
    private static double softplus(double u) {
        return Math.max(u, 0) + Math.log1p(Math.exp(-Math.abs(u)));
    }
}
