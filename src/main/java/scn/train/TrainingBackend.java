package scn.train;

import java.util.function.BooleanSupplier;
import scn.backend.opencl.Devices;
import scn.detect.SplitDetector;
import scn.dist.Ring;
import scn.nn.SpikingCenterNet;
import scn.tensor.SpikeTensor;
import scn.tensor.Tensor;

/**
 * Where a run's training steps and evaluation passes execute: the CPU ({@link LocalTraining}) or an OpenCL
 * device (the same {@link TrainStep}, with the model placed there). The
 * {@link Trainer} sees only this, and keeps the host model and optimiser that checkpoints read and write;
 * {@link #download} and {@link #upload} keep them and the backend's copy in step.
 */
interface TrainingBackend extends AutoCloseable {
    /**
     * Opens the backend {@code options.device()} names for {@code model}, logging the choice on standard error; with
     * several replicas, this one's place in their {@code ring} ({@link ReplicaTraining}), voting to stop when
     * {@code stopRequested} says so.
     */
    static TrainingBackend open(
            TrainOptions options,
            SpikingCenterNet model,
            SpikingCenterNet teacher,
            Ring ring,
            BooleanSupplier stopRequested) {
        String device = Devices.forReplica(options.device(), ring == null ? 0 : ring.rank());
        LocalTraining local = Devices.isCpu(device)
                ? LocalTraining.onCpu(new TrainStep(
                        model, options.weightDecay(), teacher, options.distillation(), options.headLrScale()))
                : LocalTraining.onDevice(device, options, model, teacher);
        return options.replicas() > 1 ? new ReplicaTraining(local, ring, stopRequested) : local;
    }

    /**
     * One step on {@code input [T, B, 4, 256, 320]} with {@code boxes [B, N, 5]}: as {@link TrainStep#run}, skipped
     * when not finite.
     */
    TrainStep.Result run(SpikeTensor input, Tensor boxes, float lr);

    /** The host optimiser whose moments and step count a checkpoint saves (current after {@link #download}). */
    AdamW optimizer();

    /**
     * Makes the host model (weights, running statistics) and {@link #optimizer()} current: before a checkpoint or the
     * final weights.
     */
    void download();

    /**
     * Sends the host model and optimiser to where the steps run: after a checkpoint was restored or the host changed
     * the weights.
     */
    void upload();

    /**
     * The evaluation-mode forward for scoring {@code val}: the current weights and running statistics, wherever they
     * are.
     */
    SplitDetector.Forward forward();

    /**
     * Whether the run stops before its next step, given whether this process was asked to ({@code requested}). Alone
     * that is the answer; replicas stop together, after the step in which any of them asked.
     */
    default boolean stopBeforeNextStep(boolean requested) {
        return requested;
    }

    /** One line for the log: where the steps run. */
    String describe();

    @Override
    void close();
}
