package scn.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scn.TestUtil;
import scn.tensor.Tensor;

/**
 * A training run on an OpenCL device (PoCL on the CPU in CI) against the same run on the CPU: two steps
 * of batch 1 at width 0.0625, the device run stopped after the first step and resumed from its
 * checkpoint, which must hold what the CPU's holds and continue on the device.
 *
 * <p>Tolerances, as in {@code TrainStepOnDeviceTest}: both paths compute the same float32 operations with
 * sums in other orders, so the loss agrees to 1e-3 relative. The AdamW moments after two steps are
 * sums of clipped gradients (and their squares), which agree elementwise to 1e-3 of the tensor's largest
 * value except where a membrane potential within round-off of the threshold fired on one path only; at
 * most 1 % of the values may differ more. A resume that lost the moments or the step count would be far
 * outside this: the second step's moments would then miss the first step's share (a tenth of m, most of v).
 */
class DeviceTrainerTest {
    private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

    @TempDir
    Path tmp;

    private static List<JsonObject> steps(Path runDir) throws IOException {
        return Files.readAllLines(runDir.resolve(MetricsLog.FILE)).stream()
                .map(l -> JsonParser.parseString(l).getAsJsonObject())
                .filter(o -> o.get("type").getAsString().equals("step"))
                .toList();
    }

    @Test
    void deviceRunCheckpointsAndResumesOnTheDevice() throws IOException {
        String device = "opencl:" + TestUtil.openClTestDevice();
        Path cpuRun = tmp.resolve("cpu"), devRun = tmp.resolve("device");
        Trainer.start(TinyData.onDevice(cpuRun, "cpu"), QUIET).run();

        Trainer first = Trainer.start(TinyData.onDevice(devRun, device), QUIET);
        assertTrue(first.backend().startsWith(device), first.backend());
        first.stopAfter(1);
        assertTrue(first.run().stopped());
        Checkpoint.Loaded mid = Checkpoint.load(devRun.resolve(Checkpoint.FILE));
        assertEquals(device, mid.options().device(), "the checkpoint remembers the device");
        assertEquals(1, mid.optimizerSteps());

        Trainer resumed = Trainer.resume(devRun.resolve(Checkpoint.FILE), null, QUIET);
        assertTrue(resumed.backend().startsWith(device), "resumes on the device: " + resumed.backend());
        Trainer.Summary s = resumed.run();
        assertEquals(2, s.steps());
        assertTrue(s.val().containsKey("map"), "evaluated on val after the last epoch");

        List<JsonObject> a = steps(cpuRun), b = steps(devRun);
        assertEquals(2, a.size());
        assertEquals(2, b.size(), "the resumed run's log continues the stopped one");
        for (int i = 0; i < 2; i++) {
            float want = a.get(i).get("loss").getAsFloat(),
                    got = b.get(i).get("loss").getAsFloat();
            assertEquals(want, got, 1e-3 * Math.abs(want), "loss of step " + (i + 1));
        }

        Checkpoint.Loaded cpu = Checkpoint.load(cpuRun.resolve(Checkpoint.FILE)),
                dev = Checkpoint.load(devRun.resolve(Checkpoint.FILE));
        assertEquals(cpu.tensors().keySet(), dev.tensors().keySet(), "a device checkpoint holds what a CPU one holds");
        assertEquals(2, dev.optimizerSteps());
        long values = 0, far = 0;
        for (Map.Entry<String, Tensor> e : cpu.tensors().entrySet()) {
            if (!e.getKey().startsWith("optimizer.")) continue;
            float[] want = e.getValue().data(),
                    got = dev.tensors().get(e.getKey()).data();
            values += want.length;
            far += TestUtil.countFar(want, got, 1e-3, 1e-12);
        }
        assertTrue(far <= values / 100, far + " of " + values + " moment values differ beyond round-off");
    }
}
