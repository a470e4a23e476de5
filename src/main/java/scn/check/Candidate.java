package scn.check;

import scn.autograd.Var;
import scn.nn.Layer;

/**
 * The path under test in a layer-by-layer check: how it runs a layer (forward, recording its backward on
 * the tape) and how it forms a ConvBnAct's neuron input, which the fused kernels never write out.
 * {@link LayerCheck} compares both with the scalar reference on the reference's own inputs.
 */
public interface Candidate {
    /** One line for the report: which kernels run. */
    String describe();

    /** Runs {@code layer} on this path; its backward goes on the tape as in training. */
    Var run(Layer layer, Var... inputs);

    /**
     * A ConvBnAct's neuron input {@code bn(conv(x)) + residual} ({@code [T*B, C, H, W]} flat) as this path
     * forms it, with the batch statistics it normalised with ({@code residual} may be null).
     */
    NeuronInput neuronInput(Layer layer, Var x, Var residual);

    /**
     * Whether this path's fused neuron fires exactly where its own neuron input, run through the reference
     * recurrence, fires (true on the CPU: the fused kernels are written to be bit-identical to their
     * parts). The check then holds it to that, which catches a fused kernel that drifts from its parts.
     */
    boolean composesExactly();

    /** A neuron input and the per-channel statistics that produced it. */
    record NeuronInput(float[] pre, float[] mean, float[] invStd) {}
}
