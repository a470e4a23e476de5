package scn.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.BooleanSupplier;
import scn.autograd.Parameter;
import scn.backend.Parallel;
import scn.detect.SplitDetector;
import scn.dist.Ring;
import scn.tensor.SpikeTensor;
import scn.tensor.Tensor;

/**
 * One replica of synchronous data-parallel training on the CPU. Each step runs forward and backward on this replica's
 * batch ({@link TrainStep#gradients}), averages the gradients and the loss terms over all replicas with one ring
 * all-reduce ({@link Ring#allReduceMean}: the same bits everywhere), then clips and applies AdamW to the averaged
 * gradients ({@link TrainStep#update}). Replicas that start from the same weights and moments therefore take the same
 * update and stay identical; after every step they compare a digest of their weights ({@link #digest}) and stop,
 * naming the step, if one differs. Batch-norm running statistics are each replica's own (as PyTorch's
 * DistributedDataParallel keeps them): they never enter a training step, and replica 0's are the ones checkpoints and
 * evaluations use.
 *
 * <p>The all-reduced buffer is {@code [every parameter's gradient in model order, the five loss terms, stop vote]}: a
 * replica whose loss is not finite contributes NaN, so every replica sees a NaN mean and skips the step alike, and a
 * replica asked to stop (Ctrl-C, SIGTERM) votes 1, so all stop after the same step.
 */
final class ReplicaTraining implements TrainingBackend {
    private static final int TERMS = 5;

    private final TrainStep step;
    private final LocalTraining local;
    private final Ring ring;
    private final BooleanSupplier stopRequested;
    private final List<Parameter> parameters;
    private final float[] flat; // [gradients..., total, heatmap, offset, size, distill, stop vote]
    private boolean stopAgreed;
    /** Whether the model lives on a device: its gradients are read into and written from {@link #staging}. */
    private final boolean onDevice;
    /** Host copies of the device's gradients, one per parameter, made once (a transfer needs exact lengths). */
    private final float[][] staging;

    ReplicaTraining(LocalTraining local, Ring ring, BooleanSupplier stopRequested) {
        this.step = local.step();
        this.local = local;
        this.ring = ring;
        this.stopRequested = stopRequested;
        this.parameters = step.model().parameters();
        long n = 0;
        for (Parameter p : parameters) n += p.value().size();
        if (n + TERMS + 1 > Integer.MAX_VALUE)
            throw new IllegalArgumentException("a model of " + n + " parameters does not fit one all-reduce buffer");
        this.flat = new float[(int) n + TERMS + 1];
        this.onDevice = step.model().device() != null;
        this.staging = new float[parameters.size()][];
        if (onDevice)
            for (int i = 0; i < staging.length; i++)
                staging[i] = new float[parameters.get(i).value().size()];
    }

    @Override
    public TrainStep.Result run(SpikeTensor input, Tensor boxes, float lr) {
        try {
            // Replicas in one process (Spark's local mode, the tests) take turns for their computations, so that each
            // one's arithmetic, and the run, does not depend on the others' timing (Parallel.exclusively), unless
            // each computes on its own thread alone (Parallel.alone: one CPU per Spark task), side by side. The
            // all-reduce is outside the turns: the others must compute to get there.
            TrainStep.Losses own = Parallel.exclusively(() -> step.gradients(input, boxes));
            TrainStep.Losses mean = average(own);
            TrainStep.Result r = Parallel.exclusively(() -> step.update(mean, lr));
            if (r.finite()) {
                if (onDevice) step.model().download(); // the digest reads the host tensors
                ring.agree(
                        "the weights after optimizer step " + step.optimizer().steps(),
                        Long.toHexString(digestOfValues(parameters)));
            }
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Replaces this replica's gradients by the mean over the replicas and returns the mean loss terms (NaN if any
     * replica's loss was not finite). Records whether any replica voted to stop.
     */
    TrainStep.Losses average(TrainStep.Losses own) throws IOException {
        int at = 0;
        boolean finite = Float.isFinite(own.total());
        for (int i = 0; i < parameters.size(); i++) {
            Parameter p = parameters.get(i);
            float[] g = gradient(i);
            int n = p.value().size();
            if (!finite) Arrays.fill(flat, at, at + n, Float.NaN);
            else if (g == null) Arrays.fill(flat, at, at + n, 0f);
            else System.arraycopy(g, 0, flat, at, n);
            at += n;
        }
        flat[at] = own.total();
        flat[at + 1] = own.heatmap();
        flat[at + 2] = own.offset();
        flat[at + 3] = own.size();
        flat[at + 4] = own.distill();
        flat[at + 5] = stopRequested.getAsBoolean() ? 1f : 0f;
        ring.allReduceMean(flat);
        at = 0;
        for (int i = 0; i < parameters.size(); i++) {
            Parameter p = parameters.get(i);
            int n = p.value().size();
            if (onDevice) {
                System.arraycopy(flat, at, staging[i], 0, n);
                p.buffer().device().write(p.deviceGrad(), staging[i]);
            } else {
                System.arraycopy(flat, at, p.gradBuffer().data(), 0, n);
            }
            at += n;
        }
        stopAgreed = flat[at + 5] > 0;
        return new TrainStep.Losses(flat[at], flat[at + 1], flat[at + 2], flat[at + 3], flat[at + 4]);
    }

    /** Parameter {@code i}'s gradient on the host (read from the device there), or null when none reached it. */
    private float[] gradient(int i) {
        Parameter p = parameters.get(i);
        if (!onDevice) return p.grad() == null ? null : p.grad().data();
        p.buffer().device().read(staging[i], p.deviceGrad());
        return staging[i];
    }

    /** {@link #digest(List)} of the parameters' values. */
    static long digestOfValues(List<Parameter> parameters) {
        return digest(parameters.stream().map(Parameter::value).toList());
    }

    /**
     * A 64-bit digest of the tensors' exact bits, in order: equal digests mean equal tensors but for a collision. Four
     * interleaved multiply chains, so that the multiplier's latency does not bound the speed.
     */
    static long digest(List<Tensor> tensors) {
        long h0 = 1, h1 = 2, h2 = 3, h3 = 4;
        final long m = 0x9E3779B97F4A7C15L;
        for (Tensor t : tensors) {
            float[] d = t.data();
            int n = t.size(), i = 0;
            for (; i + 4 <= n; i += 4) {
                h0 = (h0 ^ Float.floatToRawIntBits(d[i])) * m;
                h1 = (h1 ^ Float.floatToRawIntBits(d[i + 1])) * m;
                h2 = (h2 ^ Float.floatToRawIntBits(d[i + 2])) * m;
                h3 = (h3 ^ Float.floatToRawIntBits(d[i + 3])) * m;
            }
            for (; i < n; i++) h0 = (h0 ^ Float.floatToRawIntBits(d[i])) * m;
            h1 = (h1 ^ n) * m; // the sizes too, so that values shifted across tensors differ
        }
        long h = h0;
        for (long x : new long[] {h1, h2, h3}) h = (Long.rotateLeft(h, 17) ^ x) * m;
        return h ^ (h >>> 29);
    }

    @Override
    public boolean stopBeforeNextStep(boolean requested) {
        return stopAgreed;
    }

    @Override
    public AdamW optimizer() {
        return local.optimizer();
    }

    @Override
    public void download() {
        local.download();
    }

    @Override
    public void upload() {
        local.upload();
    }

    @Override
    public SplitDetector.Forward forward() {
        SplitDetector.Forward f = local.forward();
        return input -> Parallel.exclusively(() -> f.apply(input));
    }

    @Override
    public String describe() {
        return String.format(
                Locale.ROOT,
                "replica %d of %d (%s), gradients averaged by ring all-reduce; %s",
                ring.rank(),
                ring.size(),
                ring.describe(ring.rank()),
                local.describe());
    }

    @Override
    public void close() {
        local.close();
    }
}
