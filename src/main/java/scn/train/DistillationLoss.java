package scn.train;

import scn.autograd.CustomOp;
import scn.autograd.Var;
import scn.detect.CenterNetDecoder;
import scn.tensor.Shape;
import scn.tensor.Tensor;

/**
 * The heatmap distillation term of SPEC section 5: {@code Σ (sigmoid(student) − sigmoid(teacher))² / B}
 * over every pixel and class of the time-averaged heatmap logits {@code [B, k, H, W]}. The teacher's
 * logits are a constant (a frozen network run without a tape), so only the student gets a gradient:
 * {@code ∂/∂z_s = 2 (σ_s − σ_t) σ_s (1 − σ_s) / B}.
 */
public final class DistillationLoss {
    private DistillationLoss() {}

    /** The term as a differentiable scalar (unweighted). */
    public static Var compute(Var studentLogits, Tensor teacherLogits) {
        int[] s = studentLogits.shape();
        Shape.requireSame("DistillationLoss", "student heatmap", s, "teacher heatmap", teacherLogits.shapeRef());
        float[] z = studentLogits.value().data();
        float[] t = teacherLogits.data();
        float[] dz = new float[Shape.size(s)]; // [B, k, H, W]
        double batch = s[0];
        double sum = 0;
        for (int i = 0; i < dz.length; i++) {
            double ps = CenterNetDecoder.sigmoid(z[i]);
            double d = ps - CenterNetDecoder.sigmoid(t[i]);
            sum += d * d;
            dz[i] = (float) (2 * d * ps * (1 - ps) / batch);
        }
        return CustomOp.apply(
                Tensor.scalar((float) (sum / batch)),
                g -> {
                    if (!studentLogits.requiresGrad()) return;
                    float up = g.item();
                    float[] into = studentLogits.gradBuffer().data();
                    for (int i = 0; i < dz.length; i++) into[i] += dz[i] * up;
                },
                studentLogits);
    }
}
