package scn.train;

import scn.backend.opencl.ClDevice;
import scn.backend.opencl.Devices;
import scn.detect.SplitDetector;
import scn.nn.SpikingCenterNet;
import scn.tensor.SpikeTensor;
import scn.tensor.Tensor;

/**
 * Training on an OpenCL device: every step runs there ({@link DeviceTrainStep}), parameters, running
 * statistics and AdamW moments stay there between steps, and come back to the host model and a host
 * {@link AdamW} only for checkpoints and the final weights. The host optimiser never steps; it is the
 * place the moments and the step count are copied to and restored from, so a checkpoint of a device
 * run holds what a CPU run's holds and resumes on either.
 *
 * <p>Evaluation on {@code val} runs on the device too ({@link DeviceTrainStep#infer}), with the
 * device's weights and running statistics, so no download is needed to score an epoch.
 */
final class DeviceTraining implements TrainingBackend {
    private final ClDevice dev;
    private final SpikingCenterNet model;
    private final AdamW optimizer;
    private final DeviceTrainStep step;

    private DeviceTraining(ClDevice dev, SpikingCenterNet model, float weightDecay, float headLrScale) {
        this.dev = dev;
        this.model = model;
        this.optimizer =
                new AdamW(model.parameters(), model::decays, weightDecay); // never steps: its rates do not matter
        this.step = new DeviceTrainStep(dev, model, weightDecay, headLrScale);
    }

    /**
     * Opens the device {@code spec} names (logged) and uploads {@code model}; the device is closed with this backend.
     */
    static DeviceTraining open(String spec, SpikingCenterNet model, float weightDecay, float headLrScale) {
        ClDevice dev = Devices.openCl(spec);
        try {
            return new DeviceTraining(dev, model, weightDecay, headLrScale);
        } catch (RuntimeException e) {
            dev.close();
            throw e;
        }
    }

    @Override
    public TrainStep.Result run(SpikeTensor input, Tensor boxes, float lr) {
        return step.run(input, boxes, lr);
    }

    @Override
    public AdamW optimizer() {
        return optimizer;
    }

    @Override
    public void download() {
        step.downloadInto(model, optimizer);
    }

    @Override
    public void upload() {
        step.uploadFrom(model, optimizer);
    }

    @Override
    public SplitDetector.Forward forward() {
        return step::infer;
    }

    @Override
    public String describe() {
        return dev.id() + " (" + dev.info().name() + "), whole training step on the device";
    }

    @Override
    public void close() {
        step.close();
        dev.close();
    }
}
