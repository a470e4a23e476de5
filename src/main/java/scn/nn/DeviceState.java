package scn.nn;

import java.util.List;
import java.util.Locale;
import scn.autograd.Parameter;
import scn.autograd.Var;
import scn.backend.DeviceMemoryException;
import scn.backend.opencl.ClBuffer;
import scn.backend.opencl.ClDevice;
import scn.backend.opencl.ClSlab;

/**
 * A model's state on an OpenCL device: the parameters in one slab ({@link ClSlab}), their gradients in a second
 * of the same layout when the model trains, and the batch-norm running statistics in a third. Each
 * {@link Var} is {@linkplain Var#place placed} on its part, so the model's own code runs there unchanged.
 *
 * <p>The host tensors stay: they are what checkpoints read and write. {@link #download} makes them current and
 * {@link #upload} sends them again (after a checkpoint was restored, say). Inference places the model without
 * gradients, so it holds no memory for them (and the optimiser, which lives in {@code scn.train}, none either).
 */
public final class DeviceState implements AutoCloseable {
    private final ClDevice dev;
    private final List<Parameter> parameters;
    private final List<Var> buffers;
    private final ClSlab values, grads, stats;

    DeviceState(ClDevice dev, List<Parameter> parameters, List<Var> buffers, boolean training) {
        this.dev = dev;
        this.parameters = parameters;
        this.buffers = buffers;
        long[] lengths = lengths(parameters);
        this.values = ClSlab.create(dev, lengths);
        this.grads = training ? ClSlab.create(dev, lengths) : null;
        this.stats = ClSlab.create(dev, lengths(buffers));
        for (int i = 0; i < parameters.size(); i++)
            parameters.get(i).place(values.part(i), grads == null ? null : grads.part(i));
        for (int i = 0; i < buffers.size(); i++) buffers.get(i).place(stats.part(i), null);
        upload();
    }

    private static long[] lengths(List<? extends Var> vars) {
        long[] n = new long[vars.size()];
        for (int i = 0; i < n.length; i++) n[i] = vars.get(i).value().size();
        return n;
    }

    public ClDevice device() {
        return dev;
    }

    /** Whether the parameters have gradients here (placed for training). */
    public boolean training() {
        return grads != null;
    }

    /** Every gradient in one buffer (the gaps between parts hold zeros); null without gradients. */
    public ClBuffer gradients() {
        return grads == null ? null : grads.whole();
    }

    /** Copies the device's parameters and running statistics into the host tensors. */
    public void download() {
        for (Var v : parameters) dev.read(v.value().data(), v.buffer());
        for (Var v : buffers) dev.read(v.value().data(), v.buffer());
    }

    /** Sends the host tensors' values to the device. */
    public void upload() {
        for (Var v : parameters) dev.write(v.buffer(), v.value().data());
        for (Var v : buffers) dev.write(v.buffer(), v.value().data());
    }

    /** Bytes of device memory the parameters, gradients and statistics take. */
    public long bytes() {
        long n = values.whole().bytes() + stats.whole().bytes();
        return grads == null ? n : n + grads.whole().bytes();
    }

    /**
     * The error for {@code what} ("a training step", "an inference pass") of {@code batch} samples that did not fit
     * this device: names what its activations had taken beside the model, and frees all of that, so that a smaller
     * batch can follow.
     */
    public DeviceMemoryException tooLarge(String what, int batch, DeviceMemoryException cause) {
        long taken = dev.arena().heldBytes();
        dev.arena().trim();
        return new DeviceMemoryException(
                String.format(
                        Locale.ROOT,
                        "%s of %d samples does not fit on %s: its activations had taken %.1f MiB beside the model's"
                                + " %.1f MiB when the next buffer failed (%s); try a smaller --batch",
                        what,
                        batch,
                        dev,
                        taken / 1048576.0,
                        bytes() / 1048576.0,
                        cause.getMessage()),
                cause);
    }

    /** Unplaces every variable (back to the host, without copying) and frees the slabs. */
    @Override
    public void close() {
        for (Parameter p : parameters) p.place(null, null);
        for (Var v : buffers) v.place(null, null);
        values.close();
        if (grads != null) grads.close();
        stats.close();
    }
}
