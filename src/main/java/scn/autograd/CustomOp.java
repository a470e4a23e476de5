package scn.autograd;

import scn.backend.opencl.ClBuffer;
import scn.backend.opencl.ElementwiseCl;
import scn.tensor.SpikeTensor;
import scn.tensor.Tensor;

/**
 * An operator defined outside this package (a fused loss, say, or a layer run on a device): its forward
 * value is computed by the caller, its backward given as a closure that adds into the inputs' gradient
 * buffers. The value stays the caller's (it never goes back to an arena).
 */
public final class CustomOp {
    private CustomOp() {}

    public static Var apply(Tensor value, Tape.Backward backward, Var... inputs) {
        Var out = Var.resultIn(value, Tape.needsGrad(inputs));
        Tape.record(out, backward);
        return out;
    }

    /**
     * A scalar loss term computed on a device (its value read back): its backward adds {@code up · grads[i]} into
     * {@code inputs[i]}'s device gradient, {@code up} being the term's own gradient, then gives the {@code grads}
     * (buffers of the device's arena, each of its input's size) back to the arena.
     */
    public static Var deviceTerm(float value, Var[] inputs, ClBuffer[] grads) {
        if (inputs.length != grads.length)
            throw new IllegalArgumentException(inputs.length + " inputs but " + grads.length + " gradients");
        return apply(
                Tensor.scalar(value),
                g -> {
                    float up = g.item();
                    for (int i = 0; i < inputs.length; i++) {
                        ClBuffer d = grads[i];
                        if (inputs[i].requiresGrad())
                            ElementwiseCl.scaleBackward(
                                    inputs[i].deviceGradBuffer(), d, up, Math.toIntExact(d.length()));
                        d.device().arena().giveBack(d);
                    }
                },
                inputs);
    }

    /**
     * As {@link #apply(Tensor, Tape.Backward, Var...)} for an operator whose output is spikes (a neuron
     * run elsewhere): the result holds the bytes, and its gradient, as every spike gradient, is float.
     */
    public static Var apply(SpikeTensor value, Tape.Backward backward, Var... inputs) {
        Var out = Var.resultIn(value, Tape.needsGrad(inputs));
        Tape.record(out, backward);
        return out;
    }
}
