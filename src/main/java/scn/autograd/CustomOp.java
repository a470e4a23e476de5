package scn.autograd;

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
     * As {@link #apply(Tensor, Tape.Backward, Var...)} for an operator whose output is spikes (a neuron
     * run elsewhere): the result holds the bytes, and its gradient, as every spike gradient, is float.
     */
    public static Var apply(SpikeTensor value, Tape.Backward backward, Var... inputs) {
        Var out = Var.resultIn(value, Tape.needsGrad(inputs));
        Tape.record(out, backward);
        return out;
    }
}
