package scn.nn;

import java.util.List;
import java.util.function.Function;
import scn.autograd.Parameter;
import scn.autograd.Var;
import scn.tensor.Tensor;

/**
 * One layer of the forward pass as a function of its activations, so that a checker can run it again on
 * inputs of its choosing, with other kernels, and backward on its own ({@link Probe#layer} hands it
 * over). Layers are the network's smallest stateful units: a ConvBnAct ({@link #neuron} says what it is
 * made of), or an operation between them (max-pool; upsample and concatenation; a shortcut's 1×1
 * convolution and batch norm; a head's output convolution and time average).
 *
 * @param name       the parameter prefix ({@code encoder.layer2.0.conv1}) or the operation's place
 * @param inputs     what each input is, in {@link #run}'s order ({@code x}, {@code residual}, {@code skip})
 * @param parameters the trained tensors the layer reads, and whose gradients its backward adds to
 * @param neuron     a ConvBnAct's parts, null for the other layers
 */
public record Layer(String name, List<String> inputs, List<Parameter> parameters, Neuron neuron, Function<Var[], Var> body) {
    /**
     * {@code act(bn(conv(x)) + residual)}: convolution without bias, batch norm (batch statistics when
     * {@code training}, moving the running ones; else the running ones), then PLIF with {@code plifW}, or
     * ReLU when it is null (the teacher).
     */
    public record Neuron(Parameter weight, int stride, int pad, int groups, Parameter gamma, Parameter beta,
            Tensor runningMean, Tensor runningVar, float momentum, float eps, boolean training, Parameter plifW) {
        public boolean spiking() {
            return plifW != null;
        }
    }

    /** Runs the layer as the network does, on the current kernels; a null input stands for an absent residual. */
    public Var run(Var... in) {
        if (in.length != inputs.size()) throw new IllegalArgumentException(name + ": takes " + inputs + ", got " + in.length + " inputs");
        return body.apply(in);
    }
}
