package scn.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;
import org.junit.jupiter.api.Test;

/**
 * A task's device: the command's {@code --device}, else its GPU resource as {@code opencl:ADDRESS}, else the CPU.
 * Spark's local mode hands out no GPU to tasks (a task asking for one is never scheduled), so the resource's mapping
 * is checked on the resources themselves and in local mode only the CPU and {@code --device} are seen by real tasks.
 */
class TaskDevicesTest {
    private static Map<String, ResourceInformation> gpus(String... addresses) {
        return Map.of(TaskDevices.GPU, new ResourceInformation(TaskDevices.GPU, addresses));
    }

    @Test
    void aGpuAddressIsTheOpenClDeviceOfThatIndex() {
        assertEquals("cpu", TaskDevices.of(Map.of()));
        assertEquals("cpu", TaskDevices.of(gpus()));
        assertEquals("opencl:0", TaskDevices.of(gpus("0")));
        assertEquals("opencl:3", TaskDevices.of(gpus("3", "1")), "the first of several");
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> TaskDevices.of(gpus("GPU-5e1c2b")));
        assertTrue(e.getMessage().contains("'GPU-5e1c2b'") && e.getMessage().contains("--device"), e.getMessage());
    }

    @Test
    void inLocalModeATaskIsOnTheCpuOrTheDeviceGiven() {
        List<Integer> tasks = List.of(0, 1);
        assertEquals(
                List.of("cpu", "cpu"),
                LocalSpark.context()
                        .parallelize(tasks, 2)
                        .map(i -> TaskDevices.of(TaskContext.get(), null))
                        .collect());
        assertEquals(
                List.of("opencl:1", "opencl:1"),
                LocalSpark.context()
                        .parallelize(tasks, 2)
                        .map(i -> TaskDevices.of(TaskContext.get(), "opencl:1"))
                        .collect());
        assertEquals("cpu (1 task), opencl:0 (2 tasks)", TaskDevices.summary(List.of("opencl:0", "cpu", "opencl:0")));
    }
}
