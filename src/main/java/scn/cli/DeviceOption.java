package scn.cli;

import picocli.CommandLine.Option;
import scn.backend.opencl.ClDevice;
import scn.backend.opencl.Devices;
import scn.detect.SplitDetector;
import scn.nn.SpikingCenterNet;
import scn.tensor.Arena;
import scn.tensor.SpikeTensor;

/**
 * {@code --device cpu|opencl[:N]}, shared by the commands that compute. The choice is logged once on
 * standard error; a device that cannot run what the command needs is refused with a message saying
 * so, never replaced by the CPU. The Spark module's tasks place their models with {@link #inference(String,
 * SpikingCenterNet)}.
 */
public final class DeviceOption {
    @Option(
            names = "--device",
            paramLabel = "cpu|opencl[:N]",
            description =
                    "Where to compute: cpu, or opencl[:N] for OpenCL device N of 'engine devices' (default: cpu).")
    String device; // null: not given

    /** The selector, {@code cpu} when none was given. */
    String spec() {
        return device == null ? Devices.CPU : device.trim();
    }

    boolean onCpu() {
        return Devices.isCpu(spec());
    }

    /** An evaluation-mode forward pass and what it holds on the device; closing it releases the device. */
    public interface Inference extends SplitDetector.Forward, AutoCloseable {
        @Override
        void close();
    }

    /**
     * {@code model}'s evaluation-mode forward on the chosen device, logged: the model is placed there without
     * gradients or optimiser state, and brought back to the host when the inference is closed.
     */
    Inference inference(SpikingCenterNet model) {
        return inference(spec(), model);
    }

    /** As {@link #inference(SpikingCenterNet)}, on device {@code spec} ({@code cpu} or {@code opencl[:N]}). */
    public static Inference inference(String spec, SpikingCenterNet model) {
        if (Devices.openClIndex(spec) < 0) {
            Devices.logCpu();
            return of(SplitDetector.inference(model, new Arena()), () -> {});
        }
        ClDevice dev = Devices.openCl(spec);
        try {
            model.toDevice(dev, false);
        } catch (RuntimeException e) {
            dev.close();
            throw e;
        }
        return of(SplitDetector.inference(model, new Arena()), () -> {
            model.toHost();
            dev.close();
        });
    }

    /**
     * As {@link #inference}, with a device that cannot run the model reported on standard error as
     * {@code command: why}; null then, and the command exits with 2.
     */
    Inference inferenceOrReport(SpikingCenterNet model, String command) {
        try {
            return inference(model);
        } catch (IllegalArgumentException | IllegalStateException e) {
            System.err.println(command + ": " + e.getMessage());
            return null;
        }
    }

    private static Inference of(SplitDetector.Forward forward, Runnable release) {
        return new Inference() {
            @Override
            public SplitDetector.Heads apply(SpikeTensor input) {
                return forward.apply(input);
            }

            @Override
            public void close() {
                release.run();
            }
        };
    }
}
