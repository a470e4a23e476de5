package scn.detect;

import scn.autograd.CustomOp;
import scn.autograd.Var;
import scn.backend.DeviceBuffer;
import scn.backend.opencl.CenterNetLossCl;
import scn.backend.opencl.ClArena;
import scn.backend.opencl.ClBuffer;
import scn.backend.opencl.ClDevice;
import scn.tensor.Shape;
import scn.tensor.Tensor;

/**
 * The CenterNet detection loss of SPEC section 5, fused: one pass computes each term and its gradient
 * with respect to the head outputs, so no per-pixel intermediate tensors are kept.
 * <ul>
 * <li>heatmap: penalty-reduced focal loss on {@code p = clamp(sigmoid(z), 1e-4, 1 − 1e-4)}, α = 2, β = 4,
 * {@code −(Σ_pos log(p)(1−p)² + Σ_neg log(1−p) p² (1−y)⁴) / max(1, N_pos)} (positives: {@code y == 1});</li>
 * <li>offset and size: L1 at the object centres, {@code Σ|pred − target| / (2·N_obj + 1e-4)};</li>
 * <li>total = heatmap + 1·offset + 0.1·size.</li>
 * </ul>
 */
public final class CenterNetLoss {
    public static final float OFFSET_WEIGHT = 1f, SIZE_WEIGHT = 0.1f;
    static final float P_MIN = 1e-4f, P_MAX = 1 - 1e-4f;

    /** The total as a differentiable scalar, and each term's value. */
    public record Terms(Var total, float heatmap, float offset, float size) {}

    private CenterNetLoss() {}

    public static Terms compute(Var heatmapLogits, Var offset, Var size, CenterNetTargets.Batch targets) {
        int[] hs = heatmapLogits.shape();
        Shape.requireSame(
                "CenterNetLoss",
                "heatmap logits",
                hs,
                "heatmap targets",
                targets.heatmap().shapeRef());
        int b = hs[0], plane = hs[2] * hs[3];
        int[] regShape = {b, 2, hs[2], hs[3]};
        Shape.requireSame("CenterNetLoss", "offset", offset.shape(), "expected", regShape);
        Shape.requireSame("CenterNetLoss", "size", size.shape(), "expected", regShape);

        if (heatmapLogits.onDevice()) return onDevice(heatmapLogits, offset, size, targets);
        float[] dz = new float[Shape.size(hs)]; // [B, C, H, W] ∂heatmap/∂logits
        float heat = focal(heatmapLogits.value().data(), targets.heatmap().data(), dz);
        float[] dOffset = new float[Shape.size(regShape)], dSize = new float[Shape.size(regShape)]; // [B, 2, H, W]
        float off = centreL1(offset.value().data(), targets.offsets().data(), targets, plane, dOffset);
        float siz = centreL1(size.value().data(), targets.sizes().data(), targets, plane, dSize);
        float total = heat + OFFSET_WEIGHT * off + SIZE_WEIGHT * siz;

        Var loss = CustomOp.apply(
                Tensor.scalar(total),
                g -> {
                    float up = g.item();
                    if (heatmapLogits.requiresGrad())
                        addScaled(heatmapLogits.gradBuffer().data(), dz, up);
                    if (offset.requiresGrad()) addScaled(offset.gradBuffer().data(), dOffset, up * OFFSET_WEIGHT);
                    if (size.requiresGrad()) addScaled(size.gradBuffer().data(), dSize, up * SIZE_WEIGHT);
                },
                heatmapLogits,
                offset,
                size);
        return new Terms(loss, heat, off, siz);
    }

    /**
     * The same loss for head outputs on a device ({@link CenterNetLossCl}): the targets go there, the terms and
     * the gradients are computed there, and only the five terms come back. The loss is a host scalar whose
     * backward adds the gradients, scaled by its own, into the heads' device gradients.
     */
    private static Terms onDevice(Var heat, Var offset, Var size, CenterNetTargets.Batch t) {
        ClDevice dev = heat.buffer().device();
        ClArena arena = dev.arena();
        int[] hs = heat.shape();
        int batch = hs[0], n = Shape.size(hs), reg = Shape.size(offset.shape());
        ClBuffer stats = arena.take(DeviceBuffer.Type.FLOAT32, CenterNetLossCl.STATS);
        ClBuffer dz = arena.take(DeviceBuffer.Type.FLOAT32, n);
        ClBuffer dOffset = arena.take(DeviceBuffer.Type.FLOAT32, reg),
                dSize = arena.take(DeviceBuffer.Type.FLOAT32, reg);
        try (var targets = new CenterNetLossCl.Targets(dev, batch, hs[1], hs[2], hs[3], t.indices().length / batch)) {
            targets.write(
                    t.heatmap().data(),
                    t.indices(),
                    t.mask().data(),
                    t.offsets().data(),
                    t.sizes().data(),
                    t.totalObjects());
            CenterNetLossCl.compute(
                    stats,
                    dz,
                    dOffset,
                    dSize,
                    heat.buffer(),
                    offset.buffer(),
                    size.buffer(),
                    targets,
                    OFFSET_WEIGHT,
                    SIZE_WEIGHT);
        }
        float[] s = new float[CenterNetLossCl.STATS];
        dev.read(s, stats);
        arena.giveBack(stats);
        Var loss = CustomOp.deviceTerm(s[0], new Var[] {heat, offset, size}, new ClBuffer[] {dz, dOffset, dSize});
        return new Terms(loss, s[1], s[2], s[3]);
    }

    /** The focal loss over the {@code dz.length} logits; writes its gradient with respect to them into {@code dz}. */
    static float focal(float[] z, float[] y, float[] dz) {
        double pos = 0, neg = 0;
        int positives = 0;
        for (int i = 0; i < dz.length; i++) {
            float s = sigmoid(z[i]);
            float p = Math.min(P_MAX, Math.max(P_MIN, s));
            boolean inside = s >= P_MIN && s <= P_MAX; // clamp passes the gradient only inside its range
            double dp;
            if (y[i] == 1f) {
                positives++;
                pos += Math.log(p) * (1 - p) * (1 - p);
                dp = (1 - p) * (1 - p) / p - 2 * Math.log(p) * (1 - p);
            } else {
                double w = Math.pow(1 - y[i], 4);
                neg += Math.log(1 - p) * p * p * w;
                dp = w * (-(double) p * p / (1 - p) + 2 * p * Math.log(1 - p));
            }
            dz[i] = inside ? (float) (dp * s * (1 - s)) : 0f;
        }
        double norm = Math.max(1, positives);
        for (int i = 0; i < dz.length; i++) dz[i] = (float) (-dz[i] / norm);
        return (float) (-(pos + neg) / norm);
    }

    /**
     * L1 between {@code pred [B, 2, H, W]} read at each object's centre and {@code target [B, K, 2]};
     * writes the gradient into {@code dPred}.
     */
    static float centreL1(float[] pred, float[] target, CenterNetTargets.Batch t, int plane, float[] dPred) {
        int batch = t.counts().length, k = t.indices().length / batch;
        float[] mask = t.mask().data();
        double denom = 2.0 * t.totalObjects() + 1e-4;
        double sum = 0;
        for (int b = 0; b < batch; b++) {
            for (int o = 0; o < k; o++) {
                if (mask[b * k + o] == 0f) continue;
                int idx = t.indices()[b * k + o];
                for (int ch = 0; ch < 2; ch++) {
                    int at = (b * 2 + ch) * plane + idx;
                    float d = pred[at] - target[(b * k + o) * 2 + ch];
                    sum += Math.abs(d);
                    dPred[at] += (float) (Math.signum(d) / denom);
                }
            }
        }
        return (float) (sum / denom);
    }

    private static float sigmoid(float z) {
        return (float) (1.0 / (1.0 + Math.exp(-z)));
    }

    /** {@code into += g·scale} over {@code g}'s length ({@code into} may be a longer arena array). */
    private static void addScaled(float[] into, float[] g, float scale) {
        for (int i = 0; i < g.length; i++) into[i] += g[i] * scale;
    }
}
