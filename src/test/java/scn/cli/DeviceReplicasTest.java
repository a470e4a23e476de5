package scn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scn.TestUtil;
import scn.train.Checkpoint;
import scn.train.TinyData;
import scn.train.Trainer;

/**
 * Several devices in one process, {@code train --device A,B}: one data-parallel replica per device, their gradients
 * averaged by the ring all-reduce over memory. Two replicas on the OpenCL test device (opened twice) against two CPU
 * replicas, on the tiny set: the run finishes (every replica checks after every step that all hold the same weights,
 * so it would fail otherwise), reads as one run, and its losses are the CPU replicas' within round-off (see {@code
 * TrainStepOnDeviceTest}); stopped and resumed, it continues on its devices.
 */
class DeviceReplicasTest {
    @TempDir
    Path tmp;

    private String[] args(Path runDir, String devices) {
        return new String[] {
            "train",
            "--data",
            TinyData.deviceRoot().toString(),
            "--run-dir",
            runDir.toString(),
            "--width",
            "0.0625",
            "--epochs",
            "1",
            "--steps-per-epoch",
            "2",
            "--batch",
            "1",
            "--lr",
            "1e-4",
            "--eval-every",
            "0",
            "--checkpoint-every",
            "0",
            "--no-flip",
            "--seed",
            "3",
            "--device",
            devices
        };
    }

    @Test
    void twoDevicesTrainAsTwoReplicasOfOneRun() throws IOException {
        String dev = "opencl:" + TestUtil.openClTestDevice();
        Path cpu = tmp.resolve("cpu"), device = tmp.resolve("device");
        EvaluationCommandsTest.Run c = EvaluationCommandsTest.run(args(cpu, "cpu,cpu"));
        assertEquals(0, c.code(), c.out() + c.err());
        EvaluationCommandsTest.Run d = EvaluationCommandsTest.run(args(device, dev + "," + dev));
        assertEquals(0, d.code(), d.err());
        assertTrue(d.out().contains("replica 0 of 2"), d.out());

        JsonObject summary = JsonParser.parseString(Files.readString(device.resolve(Trainer.SUMMARY)))
                .getAsJsonObject();
        assertEquals(2, summary.get("replicas").getAsInt(), summary.toString());
        List<Float> a = losses(cpu), b = losses(device);
        assertEquals(a.size(), b.size(), "steps");
        assertTrue(b.size() >= 1, "steps");
        for (int i = 0; i < a.size(); i++)
            assertEquals(a.get(i), b.get(i), 1e-3 * Math.abs(a.get(i)), "mean loss of step " + (i + 1));
        Checkpoint.Loaded saved = Checkpoint.load(device.resolve(Checkpoint.FILE));
        assertEquals(dev + "," + dev, saved.options().device(), "the checkpoint remembers the devices");
        assertEquals(2, saved.options().replicas());
    }

    private static List<Float> losses(Path runDir) throws IOException {
        return Files.readAllLines(runDir.resolve("metrics.jsonl")).stream()
                .map(l -> JsonParser.parseString(l).getAsJsonObject())
                .filter(o -> o.get("type").getAsString().equals("step"))
                .map(o -> o.get("loss").getAsFloat())
                .toList();
    }
}
