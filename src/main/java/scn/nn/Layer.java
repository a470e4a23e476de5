package scn.nn;

import java.util.List;
import java.util.function.Function;
import scn.autograd.Parameter;
import scn.autograd.Var;
import scn.tensor.Tensor;

/**
 * One layer of the forward pass as a function of its activations, so that a checker can run it again on
 * inputs of its choosing, with other kernels, and backward on its own ({@link Probe#layer} hands it
 * over). Layers are the network's smallest stateful units: a ConvBnAct, or an operation between them
 * (max-pool; upsample and concatenation; a shortcut's 1×1 convolution and batch norm; a head's output
 * convolution and time average). {@link #op} says which, with everything another implementation needs to
 * run it (a device path dispatches on it, never on the name).
 *
 * @param name       the parameter prefix ({@code encoder.layer2.0.conv1}) or the operation's place
 * @param inputs     what each input is, in {@link #run}'s order ({@code x}, {@code residual}, {@code skip})
 * @param parameters the trained tensors the layer reads, and whose gradients its backward adds to
 * @param op         what the layer computes, and from which parts
 */
public record Layer(String name, List<String> inputs, List<Parameter> parameters, Op op, Function<Var[], Var> body) {
    /** What a layer computes: one record per kind of layer the network is built of. */
    public sealed interface Op permits Neuron, MaxPool, Join, Shortcut, HeadOut {}

    /**
     * {@code act(bn(conv(x)) + residual)}: convolution without bias, batch norm (batch statistics when
     * {@code training}, moving the running ones; else the running ones), then PLIF with {@code plifW}, or
     * ReLU when it is null (the teacher). Inputs {@code x}, {@code residual} (null when absent).
     */
    public record Neuron(
            Parameter weight,
            int stride,
            int pad,
            int groups,
            Parameter gamma,
            Parameter beta,
            Tensor runningMean,
            Tensor runningVar,
            float momentum,
            float eps,
            boolean training,
            Parameter plifW)
            implements Op {
        public boolean spiking() {
            return plifW != null;
        }
    }

    /** Max-pool with a square window, ties to the first element in scan order (on spikes an OR). Input {@code x}. */
    public record MaxPool(int kernel, int stride, int pad) implements Op {}

    /** Nearest ×2 upsampling of {@code x}, then channel concatenation {@code [up(x), skip]}. Inputs x, skip. */
    public record Join() implements Op {}

    /**
     * A basic block's shortcut when the shape changes: {@code bn(conv_1x1_stride(x))}, batch norm as in
     * {@link Neuron}, no activation. Input {@code x}.
     */
    public record Shortcut(
            Parameter weight,
            int stride,
            Parameter gamma,
            Parameter beta,
            Tensor runningMean,
            Tensor runningVar,
            float momentum,
            float eps,
            boolean training)
            implements Op {}

    /** A head's output: 1×1 convolution with {@code bias} at every time step, then the mean over T. Input x. */
    public record HeadOut(Parameter weight, Parameter bias) implements Op {}

    /** A ConvBnAct's parts, or null for the other layers. */
    public Neuron neuron() {
        return op instanceof Neuron n ? n : null;
    }

    /** Runs the layer as the network does, on the current kernels; a null input stands for an absent residual. */
    public Var run(Var... in) {
        if (in.length != inputs.size())
            throw new IllegalArgumentException(name + ": takes " + inputs + ", got " + in.length + " inputs");
        return body.apply(in);
    }
}
