package scn.autograd;

import scn.tensor.Arena;
import scn.tensor.Shape;
import scn.tensor.SpikeTensor;
import scn.tensor.Tensor;

/**
 * A value in the autodiff graph: a float tensor, or binary spikes kept as bytes (converted to float
 * only if some operator asks for {@link #value()}), plus the gradient accumulated into it by
 * {@link Tape#backward}. Gradients are allocated on first use and only ever added to.
 */
public class Var {
    private Tensor value;
    private final SpikeTensor spikes;
    private Tensor grad;
    private final boolean requiresGrad;
    /** An operator's result: its arrays may come from the active arena and its gradient is dropped after use. */
    private final boolean intermediate;

    protected Var(Tensor value, SpikeTensor spikes, boolean requiresGrad) {
        this(value, spikes, requiresGrad, false);
    }

    private Var(Tensor value, SpikeTensor spikes, boolean requiresGrad, boolean intermediate) {
        this.value = value;
        this.spikes = spikes;
        this.requiresGrad = requiresGrad;
        this.intermediate = intermediate;
    }

    /** A constant: no gradient flows into it. */
    public static Var constant(Tensor value) {
        return new Var(value, null, false);
    }

    /** A constant holding binary spikes. */
    public static Var constant(SpikeTensor spikes) {
        return new Var(null, spikes, false);
    }

    /** A leaf that collects a gradient (an input being differentiated, not a trained parameter). */
    public static Var leaf(Tensor value) {
        return new Var(value, null, true);
    }

    /** An operator's result. */
    static Var result(Tensor value, boolean requiresGrad) {
        return new Var(value, null, requiresGrad, true);
    }

    /** An operator's result held as spikes. */
    static Var result(SpikeTensor spikes, boolean requiresGrad) {
        return new Var(null, spikes, requiresGrad, true);
    }

    /** The value as float32 (for spikes, converted once and kept). */
    public Tensor value() {
        if (value == null) value = spikes.toFloat();
        return value;
    }

    /** The spikes when this value is held as bytes, else null. */
    public SpikeTensor spikes() {
        return spikes;
    }

    public int[] shape() {
        return spikes != null ? spikes.shapeRef() : value.shapeRef();
    }

    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** The accumulated gradient, or null if none has reached this value. */
    public Tensor grad() {
        return grad;
    }

    /** The gradient buffer, allocated as zeros on first use; backward passes add into it. */
    public Tensor gradBuffer() {
        if (grad == null) grad = intermediate ? Tensor.zerosReused(shape()) : Tensor.zeros(shape());
        return grad;
    }

    boolean intermediate() {
        return intermediate;
    }

    public void zeroGrad() {
        if (grad != null) grad.zero();
    }

    /** Drops the gradient buffer (intermediate values after their backward has run). */
    void releaseGrad() {
        if (grad != null) Arena.giveBack(grad.data());
        grad = null;
    }

    @Override
    public String toString() {
        return (spikes != null ? "Var<spikes>" : "Var") + Shape.str(shape());
    }
}
