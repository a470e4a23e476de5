package scn.spark;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;
import scn.backend.opencl.Devices;

/**
 * Where a Spark task computes: the device its command names ({@code --device}), else the GPU Spark gave the task
 * ({@code spark.task.resource.gpu.amount}), else the CPU.
 *
 * <p>A GPU address is taken as the engine's OpenCL device index: address {@code A} is {@code opencl:A}, device
 * {@code A} of {@code engine devices} (every device of every OpenCL platform in one list, in platform order). The
 * usual discovery script (NVIDIA's {@code getGpusResources.sh}) gives the CUDA indices {@code 0, 1, …}, which are
 * the OpenCL indices on a machine whose only platform is NVIDIA's; where another platform comes first (a CPU runtime
 * such as PoCL), the discovery script must give the indices {@code engine devices} prints. A task given several GPUs
 * uses the first.
 */
final class TaskDevices {
    static final String GPU = "gpu";

    private TaskDevices() {}

    /** The device of the task {@code ctx} runs: {@code given} unless it is null, else its GPU, else the CPU. */
    static String of(TaskContext ctx, String given) {
        return given != null ? given : of(ctx.resourcesJMap());
    }

    /** The device for a task's resources: {@code opencl:A} for its first GPU address {@code A}, else {@code cpu}. */
    static String of(Map<String, ResourceInformation> resources) {
        ResourceInformation gpu = resources.get(GPU);
        if (gpu == null || gpu.addresses().length == 0) return Devices.CPU;
        String address = gpu.addresses()[0].trim();
        String device = "opencl:" + address;
        try {
            Devices.openClIndex(device);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "the task's GPU address '" + address + "' is not an OpenCL device index of 'engine devices': make"
                            + " the GPU discovery script print those indices, or give --device",
                    e);
        }
        return device;
    }

    /**
     * The devices of a barrier stage's tasks, each {@link #of(Map)} its own resources, gathered in rank order into one
     * device list ({@code opencl:0,opencl:1}; one entry when all are the same): every replica of a training run gets
     * the same list, so they agree on their options, and trains on its own entry ({@link Devices#forReplica}).
     */
    static String ofReplicas(BarrierTaskContext ctx) {
        String[] all = ctx.allGather(of(ctx.resourcesJMap()));
        return Arrays.stream(all).distinct().count() == 1 ? all[0] : String.join(",", all);
    }

    /** The devices the tasks ran on, counted: {@code opencl:0 (2 tasks), cpu (1 task)}. */
    static String summary(List<String> devices) {
        Map<String, Integer> count = new TreeMap<>();
        for (String d : devices) count.merge(d, 1, Integer::sum);
        StringBuilder out = new StringBuilder();
        count.forEach((d, n) -> out.append(out.isEmpty() ? "" : ", ")
                .append(d)
                .append(" (")
                .append(n)
                .append(n == 1 ? " task)" : " tasks)"));
        return out.toString();
    }
}
