package scn.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

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

    @Test
    void valueAndGradient() {
        float[] s = {0.3f, -1.2f, 2.0f, 0f, -0.4f, 1.1f, 0.7f, -2.5f}; // [B=2, k=2, 1, 2]
        float[] t = {-0.5f, -1.0f, 1.0f, 0.2f, 0.4f, 1.1f, -0.7f, -2.0f};
        Var student = Var.leaf(Tensor.wrap(s.clone(), 2, 2, 1, 2));
        Var loss = DistillationLoss.compute(student, Tensor.wrap(t, 2, 2, 1, 2));
        assertEquals(value(s, t, 2), loss.value().item(), 1e-6);
        Tape.backward(loss);
        double h = 1e-3;
        for (int i = 0; i < s.length; i++) {
            float[] plus = s.clone(), minus = s.clone();
            plus[i] += (float) h;
            minus[i] -= (float) h;
            double numeric = (value(plus, t, 2) - value(minus, t, 2)) / (2 * h);
            assertEquals(numeric, student.grad().data()[i], 1e-4, "element " + i);
        }
    }

    @Test
    void identicalHeatmapsCostNothing() {
        float[] s = {0.1f, -3f, 4f, 0.5f};
        assertEquals(
                0f,
                DistillationLoss.compute(Var.constant(Tensor.wrap(s.clone(), 1, 1, 2, 2)), Tensor.wrap(s, 1, 1, 2, 2))
                        .value()
                        .item());
    }
}
