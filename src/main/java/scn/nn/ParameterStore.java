package scn.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import scn.autograd.Parameter;
import scn.autograd.Var;
import scn.backend.opencl.ClDevice;
import scn.tensor.Tensor;

/**
 * Every named tensor of a model, in construction order: trained parameters (with whether weight decay
 * applies to them) and buffers (batch-norm running statistics). Names are the canonical checkpoint
 * keys of SPEC section 3. Also the seeded source of initial values, so a seed fixes a model.
 */
public final class ParameterStore {
    private final Map<String, Parameter> parameters = new LinkedHashMap<>();
    private final Map<String, Var> buffers = new LinkedHashMap<>();
    private DeviceState device; // where the parameters and buffers live, when not on the host
    private final List<Parameter> decayed = new ArrayList<>();
    private final SplittableRandom random;

    public ParameterStore(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** Registers a trained tensor; {@code weightDecay} is false for batch-norm and PLIF parameters. */
    public Parameter parameter(String name, Tensor initial, boolean weightDecay) {
        if (parameters.containsKey(name) || buffers.containsKey(name))
            throw new IllegalStateException("duplicate parameter name " + name);
        Parameter p = new Parameter(name, initial);
        parameters.put(name, p);
        if (weightDecay) decayed.add(p);
        return p;
    }

    /** Registers a tensor that is saved and loaded but not trained (a constant {@link Var}, moved in place). */
    public Var buffer(String name, Tensor initial) {
        if (parameters.containsKey(name) || buffers.containsKey(name))
            throw new IllegalStateException("duplicate buffer name " + name);
        Var v = Var.constant(initial);
        buffers.put(name, v);
        return v;
    }

    /**
     * Kaiming-normal values for a convolution weight {@code [cout, cin/groups, kh, kw]} (fan-out, ReLU gain), as
     * torchvision's ResNet.
     */
    public Tensor kaimingNormal(int... shape) {
        int fanOut = shape[0] * shape[2] * shape[3];
        return normal(Math.sqrt(2.0 / fanOut), shape);
    }

    public Tensor normal(double std, int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.size(); i++) t.data()[i] = (float) (random.nextGaussian() * std);
        return t;
    }

    public List<Parameter> parameters() {
        return Collections.unmodifiableList(new ArrayList<>(parameters.values()));
    }

    public boolean decays(Parameter p) {
        return decayed.contains(p);
    }

    /** Parameters then buffers, by name: what a checkpoint holds. */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> all = new LinkedHashMap<>();
        parameters.forEach((name, p) -> all.put(name, p.value()));
        buffers.forEach((name, b) -> all.put(name, b.value()));
        return all;
    }

    /**
     * Puts every parameter and buffer on {@code dev} (see {@link DeviceState}), with gradients when {@code training};
     * a placement elsewhere is released first.
     */
    public DeviceState place(ClDevice dev, boolean training) {
        release();
        device = new DeviceState(dev, parameters(), List.copyOf(buffers.values()), training);
        return device;
    }

    /** Where the parameters live: null on the host. */
    public DeviceState device() {
        return device;
    }

    /** Brings the parameters back to the host, the device's values first: the device memory is freed. */
    public void release() {
        if (device == null) return;
        device.download();
        device.close();
        device = null;
    }

    public long parameterCount() {
        long n = 0;
        for (Parameter p : parameters.values()) n += p.value().size();
        return n;
    }
}
