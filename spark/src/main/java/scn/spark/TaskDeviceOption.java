package scn.spark;

import picocli.CommandLine.Option;
import scn.backend.opencl.Devices;

/** {@code --device} of the Spark commands: where every task computes, in place of the GPU Spark gives it. */
final class TaskDeviceOption {
    @Option(
            names = "--device",
            paramLabel = "cpu|opencl[:N]",
            description = "Where every task computes: cpu, or opencl[:N] for OpenCL device N of 'engine devices' on"
                    + " its executor (default: the task's GPU, spark.task.resource.gpu.amount, as opencl:ADDRESS;"
                    + " without one the CPU).")
    String device; // null: each task's own

    /** The device given, its spelling checked; null when none was given. */
    String given() {
        if (device == null) return null;
        Devices.openClIndex(device); // a misspelling fails here, once, rather than in every task
        return device.trim();
    }
}
