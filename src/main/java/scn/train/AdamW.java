package scn.train;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;
import scn.autograd.Parameter;
import scn.ops.AdamWUpdate;
import scn.tensor.Tensor;

/**
 * AdamW (SPEC section 5): betas (0.9, 0.999), eps 1e-8, decoupled weight decay only on the parameters
 * {@code decays} accepts. Moment buffers are allocated once, at construction. A parameter may learn at a
 * multiple of the step's learning rate ({@code lrScale}; 1 for all unless a run asks otherwise, see
 * {@link TrainOptions#headLrScale()}).
 */
public final class AdamW {
    public static final float BETA1 = 0.9f, BETA2 = 0.999f, EPS = 1e-8f;

    private final List<Parameter> parameters;
    private final boolean[] decay;
    private final float[] lrScale; // [parameters] multiple of the step's learning rate
    private final List<Tensor> m = new ArrayList<>(), v = new ArrayList<>();
    private final float weightDecay;
    private int step;

    public AdamW(List<Parameter> parameters, Predicate<Parameter> decays, float weightDecay) {
        this(parameters, decays, weightDecay, p -> 1.0);
    }

    public AdamW(
            List<Parameter> parameters,
            Predicate<Parameter> decays,
            float weightDecay,
            ToDoubleFunction<Parameter> lrScale) {
        this.parameters = List.copyOf(parameters);
        this.weightDecay = weightDecay;
        this.decay = new boolean[parameters.size()];
        this.lrScale = new float[parameters.size()];
        for (int i = 0; i < parameters.size(); i++) {
            Parameter p = parameters.get(i);
            decay[i] = decays.test(p);
            this.lrScale[i] = (float) lrScale.applyAsDouble(p);
            m.add(Tensor.zeros(p.shape()));
            v.add(Tensor.zeros(p.shape()));
        }
    }

    /** One update at learning rate {@code lr}; parameters without a gradient are left alone. */
    public void step(float lr) {
        step++;
        for (int i = 0; i < parameters.size(); i++) {
            Parameter p = parameters.get(i);
            if (p.grad() == null) continue;
            AdamWUpdate.step(
                    p.value().data(),
                    p.grad().data(),
                    m.get(i).data(),
                    v.get(i).data(),
                    lr * lrScale[i],
                    BETA1,
                    BETA2,
                    EPS,
                    decay[i] ? weightDecay : 0f,
                    step);
        }
    }

    public void zeroGrad() {
        for (Parameter p : parameters) p.zeroGrad();
    }

    public int steps() {
        return step;
    }

    /** First and second moments, for checkpoints: {@code [m_0, v_0, m_1, v_1, ...]} in parameter order. */
    public List<Tensor> moments() {
        List<Tensor> all = new ArrayList<>();
        for (int i = 0; i < parameters.size(); i++) {
            all.add(m.get(i));
            all.add(v.get(i));
        }
        return all;
    }

    public void restore(int steps) {
        this.step = steps;
    }

    /**
     * Scales all gradients so their joint L2 norm is at most {@code maxNorm} (as torch's
     * clip_grad_norm_); returns the norm before clipping, which is NaN or infinite if any gradient is.
     */
    public static double clipGradNorm(List<Parameter> parameters, double maxNorm) {
        double sq = 0;
        for (Parameter p : parameters) {
            if (p.grad() == null) continue;
            for (float g : p.grad().data()) sq += (double) g * g;
        }
        double norm = Math.sqrt(sq);
        double scale = maxNorm / (norm + 1e-6);
        if (scale < 1 && Double.isFinite(norm)) {
            for (Parameter p : parameters) {
                if (p.grad() == null) continue;
                float[] g = p.grad().data();
                for (int i = 0; i < g.length; i++) g[i] *= (float) scale;
            }
        }
        return norm;
    }
}
