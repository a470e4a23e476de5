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
    /**
     * The operator took this value's arrays for it alone, so they may go back to the arena once its backward has run.
     */
    private final boolean ownsValue;

    private boolean released;
    /** Called with this value's gradient when the backward pass reaches it (see {@link #onGradient}). */
    private java.util.function.Consumer<Tensor> gradientHook;

    protected Var(Tensor value, SpikeTensor spikes, boolean requiresGrad) {
        this(value, spikes, requiresGrad, false, false);
    }

    private Var(Tensor value, SpikeTensor spikes, boolean requiresGrad, boolean intermediate, boolean ownsValue) {
        this.value = value;
        this.spikes = spikes;
        this.requiresGrad = requiresGrad;
        this.intermediate = intermediate;
        this.ownsValue = ownsValue;
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

    /** A leaf holding spikes that collects a gradient (a layer's spike input, replayed by a checker). */
    public static Var leaf(SpikeTensor spikes) {
        return new Var(null, spikes, true);
    }

    /** An operator's result in arrays it took for this value alone (from the active arena, if any). */
    static Var result(Tensor value, boolean requiresGrad) {
        return new Var(value, null, requiresGrad, true, true);
    }

    /** An operator's result held as spikes, in bytes it took for this value alone. */
    static Var result(SpikeTensor spikes, boolean requiresGrad) {
        return new Var(null, spikes, requiresGrad, true, true);
    }

    /** An operator's result in a tensor the caller supplied, which may be shared: never given back. */
    static Var resultIn(Tensor value, boolean requiresGrad) {
        return new Var(value, null, requiresGrad, true, false);
    }

    /** An operator's result held as spikes the caller supplied: never given back. */
    static Var resultIn(SpikeTensor spikes, boolean requiresGrad) {
        return new Var(null, spikes, requiresGrad, true, false);
    }

    /** The value as float32 (for spikes, converted once and kept). */
    public Tensor value() {
        requireHeld();
        if (value == null) value = spikes.toFloat();
        return value;
    }

    /** The spikes when this value is held as bytes, else null. */
    public SpikeTensor spikes() {
        requireHeld();
        return spikes;
    }

    private void requireHeld() {
        if (released)
            throw new IllegalStateException(
                    this
                            + ": an intermediate value is dropped once the backward pass has gone past it; read it before Tape.backward");
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

    /**
     * Hands {@code hook} this value's whole gradient once the backward pass has summed it, just before it
     * flows on into the operator that produced the value (as PyTorch's {@code register_hook}). The tensor
     * is the tape's: copy it to keep it. Only an operator's result, which the tape records, is reached.
     */
    public void onGradient(java.util.function.Consumer<Tensor> hook) {
        this.gradientHook = hook;
    }

    java.util.function.Consumer<Tensor> gradientHook() {
        return gradientHook;
    }

    public void zeroGrad() {
        if (grad != null) grad.zero();
    }

    /** Drops the gradient buffer (intermediate values after their backward has run). */
    void releaseGrad() {
        if (grad != null) Arena.giveBack(grad.data());
        grad = null;
    }

    /**
     * Gives this result's arrays back to the active arena: its backward has run, so every operator that
     * read it (all recorded after it) is done with it. Reading it afterwards is an error, since the
     * arena may already have handed the arrays out again; without an arena nothing changes.
     */
    void releaseValue() {
        if (!ownsValue || released) return;
        boolean gone = value != null && Arena.giveBack(value.data());
        if (spikes != null) gone |= Arena.giveBack(spikes.data());
        released = gone;
    }

    @Override
    public String toString() {
        return (spikes != null ? "Var<spikes>" : "Var") + Shape.str(shape());
    }
}
