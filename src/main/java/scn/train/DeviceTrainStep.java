package scn.train;

import java.util.Locale;
import java.util.Map;
import scn.backend.DeviceBuffer.Type;
import scn.backend.DeviceMemoryException;
import scn.backend.opencl.CenterNetLossCl;
import scn.backend.opencl.ClBuffer;
import scn.backend.opencl.ClDevice;
import scn.detect.CenterNetLoss;
import scn.detect.CenterNetTargets;
import scn.detect.SplitDetector;
import scn.nn.ModelConfig;
import scn.nn.SpikingCenterNet;
import scn.nn.device.DeviceNetwork;
import scn.nn.device.DeviceParameters;
import scn.tensor.Shape;
import scn.tensor.SpikeTensor;
import scn.tensor.Tensor;

/**
 * A whole training step of the spiking detector on an OpenCL device, the device twin of
 * {@link TrainStep}: forward in training mode, CenterNet loss, backward, gradient-norm clipping at
 * {@link TrainStep#CLIP_NORM} and AdamW (SPEC 5).
 *
 * <p>What crosses the bus: the parameters and batch-norm statistics once, at construction; per step the
 * input spikes and the targets in (targets are built on the host from the boxes, data preparation),
 * and six floats out (the loss terms and the squared gradient norm, which the host needs to decide on
 * clipping and on skipping a non-finite step, as the CPU step does). The loss and its gradient with
 * respect to the head outputs are computed on the device ({@link CenterNetLossCl}); the gradient norm
 * is a two-stage reduction over one slab of all gradients.
 *
 * <p>Between steps the trained state stays on the device. For a checkpoint {@link #downloadInto} copies
 * the weights, the running statistics and (given a host {@link AdamW}) the moments and step count back;
 * {@link #uploadFrom} sends them the other way when a run resumes or the host changed the weights.
 *
 * <p>A batch the device cannot hold is a {@link DeviceMemoryException} that names the batch size, what its
 * activations need and how many samples would fit; the step stays usable with a smaller batch.
 */
public final class DeviceTrainStep implements AutoCloseable {
    /** Stats buffer layout: the loss terms of {@link CenterNetLossCl#STATS}, then Σ g². */
    private static final int SUM_SQUARES = CenterNetLossCl.STATS;

    private final ClDevice dev;
    private final ModelConfig config;
    private final DeviceParameters params;
    private final DeviceNetwork net;
    private final CenterNetTargets.Geometry geometry;
    private final ClBuffer statsBuffer; // [6] loss terms, N_pos, Σ g²
    private final long modelBytes; // parameters, gradients, moments, statistics and the stats buffer on the device
    private ClBuffer input; // [T, B, 4, 256, 320] uint8
    private CenterNetLossCl.Targets targets;

    /** Uploads {@code model}'s parameters and running statistics; AdamW with weight decay {@code weightDecay}. */
    public DeviceTrainStep(ClDevice dev, SpikingCenterNet model, float weightDecay) {
        this(dev, model, weightDecay, 1f);
    }

    /**
     * As above, with the heads' output convolutions learning at {@code headLrScale} times the step's rate (as {@link
     * TrainStep}).
     */
    public DeviceTrainStep(ClDevice dev, SpikingCenterNet model, float weightDecay, float headLrScale) {
        this.dev = dev;
        this.config = model.config();
        long before = dev.heldBytes();
        this.params = new DeviceParameters(dev, model, weightDecay, headLrScale);
        this.net = new DeviceNetwork(dev, params, config);
        this.geometry = new CenterNetTargets.Geometry(
                config.classes(), config.gridHeight(), config.gridWidth(), ModelConfig.STRIDE, 100);
        this.statsBuffer = dev.allocate(Type.FLOAT32, SUM_SQUARES + 1);
        this.modelBytes = dev.heldBytes() - before;
    }

    /** Runs one step on {@code input [T, B, 4, 256, 320]} with {@code boxes [B, N, 5]} at learning rate {@code lr}. */
    public TrainStep.Result run(SpikeTensor input, Tensor boxes, float lr) {
        float[] s = forwardBackward(input, boxes);
        double norm = Math.sqrt(s[SUM_SQUARES]);
        // As AdamW.clipGradNorm: scale by maxNorm / (norm + 1e-6) when below 1, computed in double.
        double scale = TrainStep.CLIP_NORM / (norm + 1e-6);
        if (scale < 1 && Double.isFinite(norm)) params.scaleGrads((float) scale);
        if (Double.isFinite(norm) && Float.isFinite(s[0])) params.adamW(lr, AdamW.BETA1, AdamW.BETA2, AdamW.EPS);
        return new TrainStep.Result(s[0], s[1], s[2], s[3], 0f, norm); // no distillation term on the device
    }

    /**
     * Forward, loss and backward without clipping or update: the gradients stay on the device
     * ({@link #gradients()}); returns the stats {@code [total, heatmap, offset, size, N_pos, Σ g²]}.
     */
    float[] forwardBackward(SpikeTensor x, Tensor boxes) {
        int b = checkInput(x);
        if (boxes.rank() != 3 || boxes.dim(0) != b || boxes.dim(2) != 5) {
            throw new IllegalArgumentException(
                    "device step: boxes must be [B=" + b + ", N, 5], got " + Shape.str(boxes.shape()));
        }
        prepare(b);
        try {
            return launch(x, CenterNetTargets.forBatch(geometry, boxes));
        } catch (DeviceMemoryException e) {
            throw tooLarge(b, e);
        }
    }

    /** The launches of {@link #forwardBackward(SpikeTensor, Tensor)}, on buffers prepared for the batch. */
    private float[] launch(SpikeTensor x, CenterNetTargets.Batch t) {
        dev.write(input, x.data());
        targets.write(
                t.heatmap().data(),
                t.indices(),
                t.mask().data(),
                t.offsets().data(),
                t.sizes().data(),
                t.totalObjects());
        params.zeroGrad();
        net.forward(input, true);
        CenterNetLossCl.compute(
                statsBuffer,
                net.outputGradient(0),
                net.outputGradient(1),
                net.outputGradient(2),
                net.output(0),
                net.output(1),
                net.output(2),
                targets,
                CenterNetLoss.OFFSET_WEIGHT,
                CenterNetLoss.SIZE_WEIGHT);
        net.backward(input);
        params.sumSquares(statsBuffer, SUM_SQUARES);
        float[] s = new float[SUM_SQUARES + 1];
        dev.read(s, statsBuffer);
        return s;
    }

    /** The parameter gradients on the device, by canonical name (after {@link #forwardBackward}: unclipped). */
    Map<String, float[]> gradients() {
        return params.readGrads();
    }

    /**
     * An evaluation-mode forward (running statistics, no update); the three head outputs {@code [B, k, 64, 80]} read
     * back.
     */
    public SplitDetector.Heads infer(SpikeTensor x) {
        int b = checkInput(x);
        prepare(b);
        try {
            dev.write(input, x.data());
            net.forward(input, false);
            return new SplitDetector.Heads(
                    read(net.output(0), b, config.classes()), read(net.output(1), b, 2), read(net.output(2), b, 2));
        } catch (DeviceMemoryException e) {
            throw tooLarge(b, e);
        }
    }

    private Tensor read(ClBuffer out, int b, int k) {
        Tensor t = Tensor.zeros(b, k, config.gridHeight(), config.gridWidth()); // exact length, as a transfer needs
        dev.read(t.data(), out);
        return t;
    }

    /** Copies the trained parameters and the batch-norm running statistics into {@code model} (same configuration). */
    public void downloadInto(SpikingCenterNet model) {
        checkConfig(model);
        params.downloadInto(model);
    }

    /**
     * Copies everything a checkpoint holds into {@code model} and {@code optimizer} (built over
     * {@code model.parameters()}): parameters, running statistics, AdamW moments and step count.
     */
    public void downloadInto(SpikingCenterNet model, AdamW optimizer) {
        downloadInto(model);
        params.downloadMoments(model.parameters(), optimizer.moments());
        optimizer.restore(params.steps());
    }

    /** The reverse of {@link #downloadInto(SpikingCenterNet, AdamW)}: the device continues from the host's state. */
    public void uploadFrom(SpikingCenterNet model, AdamW optimizer) {
        checkConfig(model);
        params.uploadFrom(model);
        params.uploadMoments(model.parameters(), optimizer.moments(), optimizer.steps());
    }

    private void checkConfig(SpikingCenterNet model) {
        if (!model.config().equals(config))
            throw new IllegalArgumentException("device step: model " + model.config() + " is not " + config);
    }

    /** Optimiser steps taken. */
    public int steps() {
        return params.steps();
    }

    private int checkInput(SpikeTensor x) {
        int[] s = x.shapeRef();
        if (s.length != 5
                || s[0] != config.timeSteps()
                || s[2] != ModelConfig.INPUT_CHANNELS
                || s[3] != config.inputHeight()
                || s[4] != config.inputWidth()) {
            throw new IllegalArgumentException("device step: input must be [T=" + config.timeSteps() + ", B, 4, "
                    + config.inputHeight() + ", " + config.inputWidth() + "], got " + Shape.str(s));
        }
        return s[1];
    }

    /** Buffers for batch size {@code b}: made on first use, remade only when the batch size changes. */
    void prepare(int b) {
        if (b == net.batch()) return;
        try {
            allocate(b);
        } catch (DeviceMemoryException e) {
            throw tooLarge(b, e);
        }
    }

    private void allocate(int b) {
        releaseBatch();
        net.allocate(b);
        input = dev.allocate(
                Type.UINT8,
                (long) config.timeSteps()
                        * b
                        * ModelConfig.INPUT_CHANNELS
                        * config.inputHeight()
                        * config.inputWidth());
        targets = new CenterNetLossCl.Targets(
                dev, b, config.classes(), config.gridHeight(), config.gridWidth(), geometry.maxObjects());
    }

    private void releaseBatch() {
        net.release();
        if (input != null) input.close();
        if (targets != null) targets.close();
    }

    /**
     * The error for a batch of {@code b} the device cannot hold. What the batch needs is measured: once its own
     * buffers are released, they are allocated for one sample (activations grow with the batch) and released again,
     * so the next call allocates afresh.
     */
    private DeviceMemoryException tooLarge(int b, DeviceMemoryException cause) {
        releaseBatch();
        long perSample = 0;
        if (b > 1) {
            long before = dev.heldBytes();
            try {
                allocate(1);
                perSample = dev.heldBytes() - before;
            } catch (DeviceMemoryException e) {
                // Not even one sample fits: said below.
            }
            releaseBatch();
        }
        long global = dev.info().globalMemBytes(), free = global - dev.heldBytes();
        String need;
        if (perSample == 0) {
            need = "not even one sample fits beside the model's " + mib(modelBytes) + " in the device's " + mib(global);
        } else {
            need = "its activations need about " + mib(b * perSample) + " (" + mib(perSample) + " per sample) beside"
                    + " the model's " + mib(modelBytes) + ", and " + mib(free) + " of the device's " + mib(global)
                    + " are free: ";
            // The activations may fit and the launches' own scratch buffers, which grow with the batch, not.
            long fit = free / perSample;
            need += fit < b
                    ? "at most " + fit + " samples fit"
                    : "the launches' scratch did not fit; try fewer samples";
        }
        return new DeviceMemoryException(
                "device step: a batch of " + b + " does not fit on " + dev + ": " + need + " (" + cause.getMessage()
                        + ")",
                cause);
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }

    @Override
    public void close() {
        net.close();
        if (input != null) input.close();
        if (targets != null) targets.close();
        statsBuffer.close();
        params.close();
    }
}
