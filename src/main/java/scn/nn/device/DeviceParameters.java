package scn.nn.device;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import scn.autograd.Parameter;
import scn.backend.opencl.AdamWCl;
import scn.backend.opencl.ClBuffer;
import scn.backend.opencl.ClDevice;
import scn.backend.opencl.ClSlab;
import scn.backend.opencl.ElementwiseCl;
import scn.backend.opencl.GradNormCl;
import scn.nn.SpikingCenterNet;
import scn.tensor.Tensor;

/**
 * A model's trained state on the device: every parameter, its gradient and its two AdamW moments in
 * four slabs ({@link ClSlab}) of one layout, plus the batch-norm running statistics. Uploaded from a
 * {@link SpikingCenterNet} at construction; {@link #downloadInto} copies values and statistics back and
 * {@link #uploadFrom} sends them again, and the moments and step count travel to and from a host
 * optimiser ({@code scn.train.AdamW}) the same way, so a checkpoint holds what a CPU run's holds.
 *
 * <p>The slabs are ordered by optimiser group: weight decay or not, times the learning-rate multiple
 * (the heads' output convolutions may learn faster, see {@link SpikingCenterNet#isHeadOutput}). So the
 * optimiser is one launch per non-empty group (at most four), zeroing the gradients one fill, and the
 * gradient norm one reduction.
 */
public final class DeviceParameters implements AutoCloseable {
    private final ClDevice dev;
    private final List<Parameter> order = new ArrayList<>();
    private final Map<String, Integer> index = new HashMap<>();
    private final Map<String, ClBuffer> buffers = new LinkedHashMap<>();
    private final ClSlab values, grads, m, v;
    private final List<Group> groups = new ArrayList<>();
    private int step;

    /**
     * One optimiser launch: the slab range {@code {values, grads, m, v}}, its weight decay and learning-rate multiple.
     */
    private record Group(ClBuffer[] range, float weightDecay, float lrScale) {}

    /**
     * Uploads {@code model}'s parameters and running statistics; the optimiser's weight decay applies to the
     * parameters {@code model} decays, and its heads' output convolutions learn at {@code headLrScale} times the rate.
     */
    public DeviceParameters(ClDevice dev, SpikingCenterNet model, float weightDecay, float headLrScale) {
        this.dev = dev;
        int[] groupEnds = new int[4];
        for (int g = 0; g < 4; g++) {
            boolean decays = g < 2, scaled = g % 2 == 1;
            for (Parameter p : model.parameters()) {
                if (model.decays(p) == decays && model.isHeadOutput(p) == scaled) order.add(p);
            }
            groupEnds[g] = order.size();
        }
        long[] lengths = new long[order.size()];
        for (int i = 0; i < lengths.length; i++) {
            lengths[i] = order.get(i).value().size();
            index.put(order.get(i).name(), i);
        }
        values = ClSlab.create(dev, lengths);
        grads = ClSlab.create(dev, lengths);
        m = ClSlab.create(dev, lengths);
        v = ClSlab.create(dev, lengths);
        for (int i = 0; i < lengths.length; i++)
            dev.write(values.part(i), order.get(i).value().data());
        for (int g = 0, from = 0; g < 4; from = groupEnds[g++]) {
            ClBuffer[] r = range(from, groupEnds[g]);
            if (r != null) groups.add(new Group(r, g < 2 ? weightDecay : 0f, g % 2 == 1 ? headLrScale : 1f));
        }
        Map<String, Tensor> state = model.stateDict();
        for (Map.Entry<String, Tensor> e : state.entrySet()) {
            if (!index.containsKey(e.getKey()))
                buffers.put(e.getKey(), dev.upload(e.getValue().data()));
        }
    }

    /** The values of parameter {@code name} (a canonical checkpoint key). */
    ClBuffer value(String name) {
        return values.part(at(name));
    }

    ClBuffer grad(String name) {
        return grads.part(at(name));
    }

    /** A batch-norm running statistic, e.g. {@code encoder.stem.bn.running_mean}. */
    ClBuffer buffer(String name) {
        ClBuffer b = buffers.get(name);
        if (b == null) throw new IllegalArgumentException("device model: no buffer " + name);
        return b;
    }

    private int at(String name) {
        Integer i = index.get(name);
        if (i == null) throw new IllegalArgumentException("device model: no parameter " + name);
        return i;
    }

    /** Sets every gradient to zero (one fill over the gradient slab). */
    public void zeroGrad() {
        dev.zero(grads.whole());
    }

    /** {@code out[at] = Σ g²} over every gradient, left on the device. */
    public void sumSquares(ClBuffer out, int at) {
        GradNormCl.sumSquares(out, at, grads.whole(), (int) grads.whole().length());
    }

    /** Multiplies every gradient by {@code scale} (gradient-norm clipping). */
    public void scaleGrads(float scale) {
        ElementwiseCl.affine(
                grads.whole(), grads.whole(), scale, 0f, (int) grads.whole().length());
    }

    /** One AdamW update at learning rate {@code lr} with the given betas and epsilon (SPEC 5), one launch per group. */
    public void adamW(float lr, float beta1, float beta2, float eps) {
        step++;
        for (Group g : groups) {
            ClBuffer[] r = g.range();
            AdamWCl.step(r[0], r[1], r[2], r[3], lr * g.lrScale(), beta1, beta2, eps, g.weightDecay(), step, (int)
                    r[0].length());
        }
    }

    /** Values, gradients and moments of parts {@code from..to-1} as four buffers; null when empty. */
    private ClBuffer[] range(int from, int to) {
        if (from >= to) return null;
        return new ClBuffer[] {values.range(from, to), grads.range(from, to), m.range(from, to), v.range(from, to)};
    }

    /** Optimiser updates taken (or restored by {@link #uploadMoments}). */
    public int steps() {
        return step;
    }

    /** The current gradients by parameter name, read back (for tests and diagnostics). */
    public Map<String, float[]> readGrads() {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (int i = 0; i < order.size(); i++) {
            float[] g = new float[order.get(i).value().size()];
            dev.read(g, grads.part(i));
            out.put(order.get(i).name(), g);
        }
        return out;
    }

    /** Copies parameter values and running statistics into {@code model}'s tensors (same configuration). */
    public void downloadInto(SpikingCenterNet model) {
        Map<String, Tensor> state = model.stateDict();
        for (int i = 0; i < order.size(); i++)
            dev.read(tensor(state, order.get(i).name()).data(), values.part(i));
        for (Map.Entry<String, ClBuffer> e : buffers.entrySet())
            dev.read(tensor(state, e.getKey()).data(), e.getValue());
    }

    /** Writes {@code model}'s parameter values and running statistics to the device (same configuration). */
    public void uploadFrom(SpikingCenterNet model) {
        Map<String, Tensor> state = model.stateDict();
        for (int i = 0; i < order.size(); i++)
            dev.write(values.part(i), tensor(state, order.get(i).name()).data());
        for (Map.Entry<String, ClBuffer> e : buffers.entrySet())
            dev.write(e.getValue(), tensor(state, e.getKey()).data());
    }

    /**
     * Copies the AdamW moments into {@code moments}, a host optimiser's {@code [m_0, v_0, m_1, v_1, …]} over
     * {@code params}: the host's come in that order, the device's in slab order, so they are matched by name.
     */
    public void downloadMoments(List<Parameter> params, List<Tensor> moments) {
        checkMoments(params, moments);
        for (int i = 0; i < params.size(); i++) {
            int at = at(params.get(i).name());
            dev.read(moments.get(2 * i).data(), m.part(at));
            dev.read(moments.get(2 * i + 1).data(), v.part(at));
        }
    }

    /**
     * The reverse of {@link #downloadMoments}: the device continues from the host's moments, {@code steps} updates
     * in.
     */
    public void uploadMoments(List<Parameter> params, List<Tensor> moments, int steps) {
        checkMoments(params, moments);
        for (int i = 0; i < params.size(); i++) {
            int at = at(params.get(i).name());
            dev.write(m.part(at), moments.get(2 * i).data());
            dev.write(v.part(at), moments.get(2 * i + 1).data());
        }
        step = steps;
    }

    private void checkMoments(List<Parameter> params, List<Tensor> moments) {
        if (params.size() != order.size() || moments.size() != 2 * params.size()) {
            throw new IllegalArgumentException("device model: an optimiser of " + moments.size() / 2
                    + " parameters for a model of " + order.size());
        }
    }

    private static Tensor tensor(Map<String, Tensor> state, String name) {
        Tensor t = state.get(name);
        if (t == null) throw new IllegalArgumentException("device model: the target model has no " + name);
        return t;
    }

    @Override
    public void close() {
        for (ClSlab s : new ClSlab[] {values, grads, m, v}) s.close();
        for (ClBuffer b : buffers.values()) b.close();
    }
}
