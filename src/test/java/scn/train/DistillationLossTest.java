package scn.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.Random;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;
import scn.autograd.Tape;
import scn.autograd.Var;
import scn.tensor.Tensor;

/** The distillation term: its value by hand and its gradient against central differences. */
class DistillationLossTest {
    private static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }

    private static double value(float[] s, float[] t, int batch) {
        double sum = 0;
        for (int i = 0; i < s.length; i++) sum += Math.pow(sigmoid(s[i]) - sigmoid(t[i]), 2);
        return sum / batch;
    }

    /** Checks {@code grad} against central differences of {@code f} at {@code x} (step 1e-3), each to 1e-4. */
    private static void assertCentralDifferences(float[] x, ToDoubleFunction<float[]> f, float[] grad, String what) {
        double h = 1e-3;
        for (int i = 0; i < x.length; i++) {
            float[] plus = x.clone(), minus = x.clone();
            plus[i] += (float) h;
            minus[i] -= (float) h;
            assertEquals((f.applyAsDouble(plus) - f.applyAsDouble(minus)) / (2 * h), grad[i], 1e-4, what + " " + i);
        }
    }

    @Test
    void valueAndGradient() {
        float[] s = {0.3f, -1.2f, 2.0f, 0f, -0.4f, 1.1f, 0.7f, -2.5f}; // [B=2, k=2, 1, 2]
        float[] t = {-0.5f, -1.0f, 1.0f, 0.2f, 0.4f, 1.1f, -0.7f, -2.0f};
        Var student = Var.leaf(Tensor.wrap(s.clone(), 2, 2, 1, 2));
        Var loss = DistillationLoss.heatmap(student, Tensor.wrap(t, 2, 2, 1, 2), Distillation.SPEC, 0);
        assertEquals(value(s, t, 2), loss.value().item(), 1e-6);
        Tape.backward(loss);
        assertCentralDifferences(s, x -> value(x, t, 2), student.grad().data(), "element");
    }

    @Test
    void identicalHeatmapsCostNothing() {
        float[] s = {0.1f, -3f, 4f, 0.5f};
        assertEquals(
                0f,
                DistillationLoss.heatmap(
                                Var.constant(Tensor.wrap(s.clone(), 1, 1, 2, 2)),
                                Tensor.wrap(s, 1, 1, 2, 2),
                                Distillation.SPEC,
                                0)
                        .value()
                        .item());
    }

    /** The variants' values in double, straight from their definitions in {@link Distillation}. */
    private static double value(float[] s, float[] t, Distillation d, int batch, int objects) {
        double sum = 0, temp = d.temperature();
        for (int i = 0; i < s.length; i++) {
            double ps = sigmoid(s[i] / temp), pt = sigmoid(t[i] / temp);
            sum += switch (d.target()) {
                case PROB -> temp * temp * Math.pow(ps - pt, 2);
                case LOGIT -> Math.pow(s[i] - t[i], 2);
                case KL -> temp * temp * (pt * Math.log(pt / ps) + (1 - pt) * Math.log((1 - pt) / (1 - ps)));
            };
        }
        return sum
                / switch (d.norm()) {
                    case SUM -> batch;
                    case MEAN -> s.length;
                    case OBJECTS -> Math.max(1, objects);
                };
    }

    @Test
    void everyTargetAndNormAgainstItsDefinitionAndCentralDifferences() {
        float[] s = {0.3f, -1.2f, 2.0f, 0f, -0.4f, 1.1f, 0.7f, -2.5f}; // [B=2, k=2, 1, 2]
        float[] t = {-0.5f, -1.0f, 1.0f, 0.2f, 0.4f, 1.1f, -0.7f, -2.0f};
        int objects = 3;
        for (Distillation.Target target : Distillation.Target.values()) {
            for (Distillation.Norm norm : Distillation.Norm.values()) {
                for (float temp : target == Distillation.Target.LOGIT ? new float[] {1f} : new float[] {1f, 2.5f}) {
                    Distillation d = new Distillation(1f, target, temp, norm, false);
                    Var student = Var.leaf(Tensor.wrap(s.clone(), 2, 2, 1, 2));
                    Var loss = DistillationLoss.heatmap(student, Tensor.wrap(t, 2, 2, 1, 2), d, objects);
                    assertEquals(value(s, t, d, 2, objects), loss.value().item(), 1e-6, d.describe());
                    Tape.backward(loss);
                    assertCentralDifferences(
                            s, x -> value(x, t, d, 2, objects), student.grad().data(), d.describe() + ", element");
                }
            }
        }
    }

    @Test
    void theTemperatureKeepsTheGradientsSize() {
        // Hinton's T² factor: at a high temperature the KL gradient tends to (z_s − z_t) / T · T / 4, not to 0
        float[] s = {1.5f}, t = {-0.5f};
        for (float temp : new float[] {20f, 40f}) {
            Var student = Var.leaf(Tensor.wrap(s.clone(), 1, 1, 1, 1));
            Tape.backward(DistillationLoss.heatmap(
                    student,
                    Tensor.wrap(t, 1, 1, 1, 1),
                    new Distillation(1f, Distillation.Target.KL, temp, Distillation.Norm.SUM, false),
                    0));
            assertEquals((s[0] - t[0]) / 4, student.grad().data()[0], 0.01, "T = " + temp);
        }
    }

    private static double regressionValue(float[] so, float[] ss, float[] to, float[] ts, float[] zt, int cells) {
        // [B=1, 2, cells] maps, [B=1, k=2, cells] teacher logits
        double sum = 0, total = 1e-4;
        for (int p = 0; p < cells; p++) {
            double w = Math.max(sigmoid(zt[p]), sigmoid(zt[cells + p]));
            total += w;
            for (int ch = 0; ch < 2; ch++) {
                int i = ch * cells + p;
                sum += w * (Math.abs(so[i] - to[i]) + 0.1 * Math.abs(ss[i] - ts[i]));
            }
        }
        return sum / total;
    }

    @Test
    void regressionTermWeightsCellsByTheTeachersConfidence() {
        int cells = 3;
        float[] so = {0.2f, 0.9f, 0.4f, 0.1f, 0.6f, 0.3f}, to = {0.5f, 0.5f, 0.5f, 0.4f, 0.4f, 0.4f};
        float[] ss = {3f, 8f, 1f, 2f, 5f, 7f}, ts = {4f, 6f, 2f, 2.5f, 4f, 9f};
        float[] zt = {2f, -3f, -1f, -2f, 0.5f, -4f}; // the first cell confident in class 0, the second in class 1
        Var offset = Var.leaf(Tensor.wrap(so.clone(), 1, 2, 1, cells));
        Var size = Var.leaf(Tensor.wrap(ss.clone(), 1, 2, 1, cells));
        Var loss = DistillationLoss.regression(
                offset,
                size,
                Tensor.wrap(to, 1, 2, 1, cells),
                Tensor.wrap(ts, 1, 2, 1, cells),
                Tensor.wrap(zt, 1, 2, 1, cells));
        assertEquals(regressionValue(so, ss, to, ts, zt, cells), loss.value().item(), 1e-6);
        Tape.backward(loss);
        // no difference is within the step of 0, so the L1 kinks stay out of the way
        assertCentralDifferences(
                so,
                x -> regressionValue(x, ss, to, ts, zt, cells),
                offset.grad().data(),
                "offset");
        assertCentralDifferences(
                ss, x -> regressionValue(so, x, to, ts, zt, cells), size.grad().data(), "size");
    }

    @Test
    void settingsThatMeanNothingAreRefused() {
        assertThrows(
                IllegalArgumentException.class,
                () -> new Distillation(1f, Distillation.Target.LOGIT, 2f, Distillation.Norm.SUM, false));
        assertThrows(
                IllegalArgumentException.class,
                () -> new Distillation(-1f, Distillation.Target.PROB, 1f, Distillation.Norm.SUM, false));
        assertThrows(
                IllegalArgumentException.class,
                () -> new Distillation(1f, Distillation.Target.KL, 0f, Distillation.Norm.SUM, false));
    }

    /**
     * Attention transfer in double, straight from its definition: per sample, Σ_c f² of the time mean {@code f},
     * scaled to unit length.
     */
    private static double attention(float[] s, int cs, float[] t, int ct, int steps, int batch, int cells) {
        double sum = 0;
        for (int b = 0; b < batch; b++) {
            double[] qs = new double[cells], qt = new double[cells];
            for (int p = 0; p < cells; p++) {
                for (int c = 0; c < cs; c++)
                    qs[p] += Math.pow(mean(s, steps, batch * cs * cells, (b * cs + c) * cells + p), 2);
                for (int c = 0; c < ct; c++)
                    qt[p] += Math.pow(mean(t, steps, batch * ct * cells, (b * ct + c) * cells + p), 2);
            }
            double ns = Math.sqrt(Arrays.stream(qs).map(v -> v * v).sum());
            double nt = Math.sqrt(Arrays.stream(qt).map(v -> v * v).sum());
            for (int p = 0; p < cells; p++) sum += Math.pow((ns == 0 ? 0 : qs[p] / ns) - (nt == 0 ? 0 : qt[p] / nt), 2);
        }
        return sum / batch;
    }

    private static double mean(float[] x, int steps, int perStep, int i) {
        double sum = 0;
        for (int step = 0; step < steps; step++) sum += x[step * perStep + i];
        return sum / steps;
    }

    @Test
    void attentionTransferAgainstItsDefinitionAndCentralDifferences() {
        Random r = new Random(5);
        int steps = 2,
                batch = 2,
                cs = 3,
                ct = 5,
                cells = 6; // the teacher wider than the student: the maps still compare
        float[] s = new float[steps * batch * cs * cells], t = new float[steps * batch * ct * cells];
        for (int i = 0; i < s.length; i++) s[i] = r.nextFloat();
        for (int i = 0; i < t.length; i++) t[i] = Math.max(0, (float) r.nextGaussian());
        Var student = Var.leaf(Tensor.wrap(s.clone(), steps, batch, cs, 2, 3));
        Var loss = DistillationLoss.attention(student, Var.constant(Tensor.wrap(t, steps, batch, ct, 2, 3)));
        assertEquals(attention(s, cs, t, ct, steps, batch, cells), loss.value().item(), 1e-6);
        Tape.backward(loss);
        assertCentralDifferences(
                s,
                x -> attention(x, cs, t, ct, steps, batch, cells),
                student.grad().data(),
                "element");
        // the maps are scaled to unit length: a teacher twice as active teaches the same thing
        float[] doubled = t.clone();
        for (int i = 0; i < doubled.length; i++) doubled[i] *= 2;
        assertEquals(
                loss.value().item(),
                DistillationLoss.attention(
                                Var.constant(Tensor.wrap(s, steps, batch, cs, 2, 3)),
                                Var.constant(Tensor.wrap(doubled, steps, batch, ct, 2, 3)))
                        .value()
                        .item(),
                1e-6);
    }

    @Test
    void aSilentStudentGetsNoAttentionGradient() {
        Var student = Var.leaf(Tensor.zeros(1, 1, 2, 2, 2));
        Var loss = DistillationLoss.attention(
                student, Var.constant(Tensor.wrap(new float[] {1, 0, 0, 0, 0, 2, 0, 0}, 1, 1, 2, 2, 2)));
        assertEquals(1.0, loss.value().item(), 1e-6); // ‖0 − q_t‖² = 1
        Tape.backward(loss);
        for (float g : student.grad().data()) assertEquals(0f, g);
    }
}
