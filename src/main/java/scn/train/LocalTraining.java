package scn.train;

import scn.backend.Kernels;
import scn.backend.opencl.ClDevice;
import scn.backend.opencl.Devices;
import scn.detect.SplitDetector;
import scn.nn.SpikingCenterNet;
import scn.tensor.SpikeTensor;
import scn.tensor.Tensor;

/**
 * Training in this process, on the CPU or on an OpenCL device: the same {@link TrainStep} either way, with
 * the model (and a teacher) placed on the device when there is one. There the parameters, running statistics
 * and AdamW moments stay between steps and come back to the host tensors only for checkpoints and the final
 * weights ({@link #download}); on the CPU the step updates the host model in place and there is nothing to
 * copy. Evaluation on {@code val} runs where the model is.
 */
final class LocalTraining implements TrainingBackend {
    private final TrainStep step;
    private final ClDevice dev; // null on the CPU
    private final SplitDetector.Forward forward;

    private LocalTraining(TrainStep step, ClDevice dev) {
        this.step = step;
        this.dev = dev;
        // Evaluation borrows the step's arena: its arrays are free between steps.
        this.forward = SplitDetector.inference(step.model(), step.arena());
    }

    /** Training on the CPU with {@code step}. */
    static LocalTraining onCpu(TrainStep step) {
        Devices.logCpu();
        return new LocalTraining(step, null);
    }

    /**
     * Opens the device {@code spec} names (logged), places {@code model} there for training and {@code teacher} (may
     * be null) for inference, and makes the step; the device is closed with this backend.
     */
    static LocalTraining onDevice(String spec, TrainOptions options, SpikingCenterNet model, SpikingCenterNet teacher) {
        ClDevice dev = Devices.openCl(spec);
        try {
            model.toDevice(dev, true);
            if (teacher != null) teacher.toDevice(dev, false);
            var step =
                    new TrainStep(model, options.weightDecay(), teacher, options.distillation(), options.headLrScale());
            return new LocalTraining(step, dev);
        } catch (RuntimeException e) {
            model.toHost();
            if (teacher != null) teacher.toHost();
            dev.close();
            throw e;
        }
    }

    /** The step this backend runs. */
    TrainStep step() {
        return step;
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
    public void download() {
        step.model().download();
        step.optimizer().download();
    }

    @Override
    public void upload() {
        step.model().upload();
        step.optimizer().upload();
    }

    @Override
    public SplitDetector.Forward forward() {
        return forward;
    }

    @Override
    public String describe() {
        return dev == null
                ? Kernels.describe()
                : dev.id() + " (" + dev.info().name() + "), whole training step on the device";
    }

    /** On a device: the model, teacher and moments come back to the host, and the device is closed. */
    @Override
    public void close() {
        if (dev == null) return;
        step.optimizer().download();
        step.optimizer().releaseDevice();
        step.model().toHost();
        if (step.teacher() != null) step.teacher().toHost();
        dev.close();
    }
}
