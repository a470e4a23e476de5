package scn.autograd;

import scn.backend.DeviceBuffer;
import scn.backend.opencl.ClBuffer;
import scn.tensor.Arena;
import scn.tensor.Shape;
import scn.tensor.SpikeTensor;
import scn.tensor.Tensor;

/**
 * A value in the autodiff graph: a float tensor, or binary spikes kept as bytes (converted to float
 * only if some operator asks for {@link #value()}), plus the gradient accumulated into it by
 * {@link Tape#backward}. Gradients are allocated on first use and only ever added to.
 *
 * <p>A value may instead live on an OpenCL device ({@link #onDevice()}): a float or uint8 buffer there, with
 * its gradient beside it. Every operator of {@link Functional} runs where its inputs are, so the same
 * model code runs on either; {@link #value()} reads a device value back.
 */
public class Var {
    private Tensor value;
    private final SpikeTensor spikes;
    private Tensor grad;
    /** The value on a device (float32 or uint8 spikes), else null; a state variable's may be set and cleared. */
    private ClBuffer buffer;

    private int[] deviceShape;
    /** The gradient on the device; a parameter's is its part of the model's gradient slab. */
    private ClBuffer deviceGrad;

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

    private Var(ClBuffer buffer, int[] shape, boolean requiresGrad, boolean intermediate, boolean ownsValue) {
        this((Tensor) null, null, requiresGrad, intermediate, ownsValue);
        this.buffer = buffer;
        this.deviceShape = shape.clone();
        requireLength(buffer, shape);
    }

    private static void requireLength(ClBuffer buffer, int[] shape) {
        if (buffer.length() != Shape.size(shape))
            throw new IllegalArgumentException(
                    "Var: a device buffer of " + buffer.length() + " elements cannot hold shape " + Shape.str(shape));
    }

    /** A constant on a device: float32, or uint8 spikes (what the network's input is). */
    public static Var constant(ClBuffer buffer, int... shape) {
        return new Var(buffer, shape, false, false, false);
    }

    /** A leaf on a device that collects a gradient (a layer's input, replayed by a check). */
    public static Var leaf(ClBuffer buffer, int... shape) {
        return new Var(buffer, shape, true, false, false);
    }

    /** An operator's result on a device, in a buffer it took from the device's arena for this value alone. */
    static Var result(ClBuffer buffer, int[] shape, boolean requiresGrad) {
        return new Var(buffer, shape, requiresGrad, true, true);
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

    /**
     * The value as float32 (for spikes, converted once and kept). A device result is read back once; a state
     * variable placed on a device ({@link #place}) answers with its host tensor, which is current only
     * after the model's {@code download}.
     */
    public Tensor value() {
        requireHeld();
        if (value == null) value = buffer != null ? read(buffer, deviceShape) : spikes.toFloat();
        return value;
    }

    private static Tensor read(ClBuffer b, int[] shape) {
        if (b.type() == DeviceBuffer.Type.UINT8) {
            byte[] s = new byte[Shape.size(shape)];
            b.device().read(s, b);
            return SpikeTensor.wrapTrusted(s, shape).toFloat();
        }
        Tensor t = Tensor.zeros(shape);
        b.device().read(t.data(), b);
        return t;
    }

    /** Whether this value lives on a device: operators on it run there. */
    public boolean onDevice() {
        return buffer != null;
    }

    /** The device buffer of this value (float32 or uint8 spikes); null when it lives on the host. */
    public ClBuffer buffer() {
        requireHeld();
        return buffer;
    }

    /**
     * Puts this state variable (a parameter, a running statistic) on a device as {@code value}, with its
     * gradient in {@code grad} (null: made when first needed); {@code null, null} brings it back to the host.
     */
    public void place(ClBuffer value, ClBuffer grad) {
        if (intermediate) throw new IllegalStateException(this + ": only state variables are placed");
        if (value != null) requireLength(value, shape());
        int[] s = shape();
        this.buffer = value;
        this.deviceShape = value == null ? null : s;
        this.deviceGrad = grad;
    }

    /**
     * The gradient on the device, zero-filled on first use: an intermediate's from the arena, a leaf's newly
     * allocated (a parameter's was placed with it).
     */
    public ClBuffer deviceGradBuffer() {
        if (deviceGrad == null) {
            deviceGrad = intermediate
                    ? buffer.device().arena().zeros(DeviceBuffer.Type.FLOAT32, buffer.length())
                    : buffer.device().allocate(DeviceBuffer.Type.FLOAT32, buffer.length());
            if (!intermediate) buffer.device().zero(deviceGrad);
        }
        return deviceGrad;
    }

    /** The device gradient, or null if none has been made. */
    public ClBuffer deviceGrad() {
        return deviceGrad;
    }

    /** Whether a gradient has reached this value (on the host or on the device). */
    boolean hasGrad() {
        return buffer != null ? deviceGrad != null : grad != null;
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
        if (deviceShape != null) return deviceShape;
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
        if (deviceGrad != null) deviceGrad.device().zero(deviceGrad);
    }

    /** Drops the gradient buffer (intermediate values after their backward has run). */
    void releaseGrad() {
        if (grad != null) Arena.giveBack(grad.data());
        grad = null;
        if (deviceGrad != null && intermediate) deviceGrad.device().arena().giveBack(deviceGrad);
        if (intermediate) deviceGrad = null;
    }

    /**
     * Gives this result's arrays back to the active arena: its backward has run, so every operator that
     * read it (all recorded after it) is done with it. Reading it afterwards is an error, since the
     * arena may already have handed the arrays out again; without an arena nothing changes.
     */
    void releaseValue() {
        if (!ownsValue || released) return;
        if (buffer != null) {
            released = buffer.device().arena().giveBack(buffer);
            return;
        }
        boolean gone = value != null && Arena.giveBack(value.data());
        if (spikes != null) gone |= Arena.giveBack(spikes.data());
        released = gone;
    }

    @Override
    public String toString() {
        String kind = buffer != null
                ? buffer.type() == DeviceBuffer.Type.UINT8 ? "Var<spikes@device>" : "Var<@device>"
                : spikes != null ? "Var<spikes>" : "Var";
        return kind + Shape.str(shape());
    }
}
