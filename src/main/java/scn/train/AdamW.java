package scn.train;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;
import scn.autograd.Parameter;
import scn.backend.DeviceBuffer;
import scn.backend.opencl.AdamWCl;
import scn.backend.opencl.ClBuffer;
import scn.backend.opencl.ClDevice;
import scn.backend.opencl.ClSlab;
import scn.backend.opencl.ElementwiseCl;
import scn.backend.opencl.GradNormCl;
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
    /** The moments on the device, one part per parameter, while the parameters live there; else null. */
    private ClSlab deviceM, deviceV;

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

    /**
     * One update at learning rate {@code lr}; parameters without a gradient are left alone. Parameters on a device
     * are updated there, with moments kept there ({@link #upload} sends the host's the first time).
     */
    public void step(float lr) {
        step++;
        for (int i = 0; i < parameters.size(); i++) {
            Parameter p = parameters.get(i);
            if (p.onDevice()) {
                if (p.deviceGrad() == null) continue;
                if (deviceM == null) upload();
                AdamWCl.step(
                        p.buffer(),
                        p.deviceGrad(),
                        deviceM.part(i),
                        deviceV.part(i),
                        lr * lrScale[i],
                        BETA1,
                        BETA2,
                        EPS,
                        decay[i] ? weightDecay : 0f,
                        step,
                        p.value().size());
                continue;
            }
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
     * Sends the host moments to the device the parameters live on (allocating the device's the first time), as a
     * run resumes there; nothing while they live on the host.
     */
    public void upload() {
        if (parameters.isEmpty() || !parameters.get(0).onDevice()) return;
        ClDevice dev = parameters.get(0).buffer().device();
        if (deviceM == null) {
            long[] lengths = new long[parameters.size()];
            for (int i = 0; i < lengths.length; i++) lengths[i] = m.get(i).size();
            deviceM = ClSlab.create(dev, lengths);
            deviceV = ClSlab.create(dev, lengths);
        }
        for (int i = 0; i < parameters.size(); i++) {
            dev.write(deviceM.part(i), m.get(i).data());
            dev.write(deviceV.part(i), v.get(i).data());
        }
    }

    /** Makes the host moments ({@link #moments}) current from the device, for a checkpoint. */
    public void download() {
        if (deviceM == null) return;
        ClDevice dev = deviceM.whole().device();
        for (int i = 0; i < parameters.size(); i++) {
            dev.read(m.get(i).data(), deviceM.part(i));
            dev.read(v.get(i).data(), deviceV.part(i));
        }
    }

    /** Frees the device's moments (after a {@link #download}, if they are wanted). */
    public void releaseDevice() {
        if (deviceM == null) return;
        deviceM.close();
        deviceV.close();
        deviceM = deviceV = null;
    }

    /**
     * As {@link #clipGradNorm(List, double)} for gradients on a device, all in one buffer {@code grads} (a model's
     * gradient slab, whose gaps hold zeros): the sum of squares is reduced there and only it is read back.
     */
    public static double clipGradNorm(ClBuffer grads, double maxNorm) {
        ClDevice dev = grads.device();
        int n = Math.toIntExact(grads.length());
        ClBuffer out = dev.arena().take(DeviceBuffer.Type.FLOAT32, 1);
        GradNormCl.sumSquares(out, 0, grads, n);
        float[] sq = new float[1];
        dev.read(sq, out);
        dev.arena().giveBack(out);
        double norm = Math.sqrt(sq[0]);
        double scale = clipScale(norm, maxNorm);
        if (scale < 1) ElementwiseCl.affine(grads, grads, (float) scale, 0f, n);
        return norm;
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
        double scale = clipScale(norm, maxNorm);
        if (scale < 1) {
            for (Parameter p : parameters) {
                if (p.grad() == null) continue;
                float[] g = p.grad().data();
                for (int i = 0; i < g.length; i++) g[i] *= (float) scale;
            }
        }
        return norm;
    }

    /** What gradients of norm {@code norm} are multiplied by (as torch's clip_grad_norm_); 1 when the norm is not finite. */
    private static double clipScale(double norm, double maxNorm) {
        return Double.isFinite(norm) ? Math.min(1, maxNorm / (norm + 1e-6)) : 1;
    }
}
