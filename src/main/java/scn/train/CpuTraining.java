package scn.train;

import scn.backend.Kernels;
import scn.backend.opencl.Devices;
import scn.detect.SplitDetector;
import scn.tensor.SpikeTensor;
import scn.tensor.Tensor;

/** Training on the CPU: the autodiff {@link TrainStep} updates the host model in place, so there is nothing to copy. */
final class CpuTraining implements TrainingBackend {
    private final TrainStep step;
    private final SplitDetector.Forward forward;

    CpuTraining(TrainStep step) {
        this.step = step;
        // Evaluation borrows the step's arena: its arrays are free between steps.
        this.forward = SplitDetector.onCpu(step.model(), step.arena());
        Devices.logCpu();
    }

    @Override
    public TrainStep.Result run(SpikeTensor input, Tensor boxes, float lr) {
        return step.run(input, boxes, lr);
    }

    @Override
    public AdamW optimizer() {
        return step.optimizer();
    }

    @Override
    public void download() {}

    @Override
    public void upload() {}

    @Override
    public SplitDetector.Forward forward() {
        return forward;
    }

    @Override
    public String describe() {
        return Kernels.describe();
    }

    @Override
    public void close() {}
}
