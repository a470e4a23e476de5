package scn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scn.TestUtil;
import scn.autograd.Tape;
import scn.autograd.Var;
import scn.cli.EvaluationCommandsTest.Run;
import scn.data.Boxes;
import scn.data.DataLoader;
import scn.data.Dataset;
import scn.model.ModelFiles;
import scn.nn.ModelConfig;
import scn.nn.SpikingCenterNet;
import scn.tensor.SpikeTensor;
import scn.tensor.Tensor;
import scn.train.TinyData;

/**
 * {@code --device} on the commands that compute: what a device cannot run is refused before any device is
 * opened, and {@code detect} and {@code eval} on an OpenCL device (PoCL on the CPU in CI) give the CPU's
 * detections and scores. Without an OpenCL platform the device test is skipped, except under
 * {@code CI=true}, where it fails.
 */
class DeviceCommandsTest {
    /**
     * Detections on the device and on the CPU pair up when they agree to these: the head outputs agree to
     * 1e-3 of their largest value (see {@code TrainStepOnDeviceTest}), so scores (a sigmoid, slope at most
     * 1/4) move by less than 1e-3, and boxes (4 px per grid cell of offset or size, sizes here about 8
     * cells) by less than 0.05 px. A spike that fires on one path only, its membrane potential within
     * round-off of the threshold, may move a few detections more: at most 2 % may go unpaired.
     */
    private static final double SCORE = 1e-3, BOX_PX = 0.05;

    @TempDir
    Path tmp;

    /**
     * An untrained tiny network made to give varied detections: with its initial running statistics (mean
     * 0, variance 1) every layer after the stem stays silent on sparse events, and with the initial head
     * weights (normal(0, 0.001)) the heatmap would be flat anyway, so any two forwards would agree. Here the
     * running statistics start at zero and take those of the data in training-mode passes (momentum 0.1:
     * after 20 passes 88 % of the way, from below), the head output weights are scaled to normal(0, 1)
     * and the size bias is 8 cells, so that boxes have a size.
     */
    private static SpikingCenterNet calibrated(Path data, boolean teacher) throws IOException {
        SpikingCenterNet model = new SpikingCenterNet(new ModelConfig(0.0625, 1.5, 5, 2, teacher), 4);
        Map<String, Tensor> state = model.stateDict();
        state.forEach((name, t) -> {
            if (name.endsWith("running_mean") || name.endsWith("running_var")) Arrays.fill(t.data(), 0f);
            if (name.startsWith("heads.") && name.endsWith(".out.weight"))
                for (int i = 0; i < t.data().length; i++) t.data()[i] *= 1000;
        });
        Arrays.fill(state.get("heads.size.out.bias").data(), 8f);
        try (Dataset ds = Dataset.open(data, "val");
                DataLoader loader = new DataLoader(ds, DataLoader.Options.of(1, 0, false, false))) {
            SpikeTensor x = loader.epoch(0).iterator().next().input();
            for (int i = 0; i < 20; i++) {
                try (var noGrad = Tape.noGrad()) {
                    model.forward(Var.constant(x), true);
                }
            }
        }
        return model;
    }

    private static Run run(String... args) {
        return EvaluationCommandsTest.run(args);
    }

    @Test
    void evalAndDetectOnTheDeviceMatchTheCpu() throws IOException {
        compareDetectAndEval(false);
    }

    /** The ReLU teacher, run by the same model code: detections and scores as the student's are checked. */
    @Test
    void theTeachersEvalAndDetectOnTheDeviceMatchTheCpu() throws IOException {
        compareDetectAndEval(true);
    }

    private void compareDetectAndEval(boolean teacher) throws IOException {
        String device = "opencl:" + TestUtil.openClTestDevice();
        Path data = TinyData.deviceRoot();
        Path weights = tmp.resolve("model.safetensors");
        ModelFiles.save(weights, calibrated(data, teacher));
        String[] common = {"--checkpoint", weights.toString(), "--data", data.toString(), "--split", "val"};

        Path cpuOut = tmp.resolve("cpu"), devOut = tmp.resolve("dev");
        Run c = run(concat(new String[] {"detect", "--out", cpuOut.toString()}, common));
        assertEquals(0, c.code(), c.err());
        Run d = run(concat(new String[] {"detect", "--device", device, "--out", devOut.toString()}, common));
        assertEquals(0, d.code(), d.err());
        assertTrue(d.err().startsWith("device: " + device + " "), "the device is logged first: " + d.err());
        List<String> files;
        try (var s = Files.list(cpuOut)) {
            files = s.map(p -> p.getFileName().toString()).sorted().toList();
        }
        try (var s = Files.list(devOut)) {
            assertEquals(files, s.map(p -> p.getFileName().toString()).sorted().toList());
        }
        for (String f : files) {
            Boxes a = Boxes.read(cpuOut.resolve(f)), b = Boxes.read(devOut.resolve(f));
            assertEquals(a.size(), b.size(), f);
            int unmatched = unmatched(a, b);
            assertTrue(
                    unmatched <= a.size() / 50,
                    f + ": " + unmatched + " of " + a.size() + " CPU detections have no device twin");
        }

        // This network scores 0 on the one image evaluated (GEN1 skips the first 0.5 s), so equal figures show
        // that eval runs the device end to end; the detections above are the finer check.
        Path cpuJson = tmp.resolve("cpu.json"), devJson = tmp.resolve("dev.json");
        Run e = run(concat(new String[] {"eval", "--json", cpuJson.toString()}, common));
        assertEquals(0, e.code(), e.err());
        Run g = run(concat(new String[] {"eval", "--device", device, "--json", devJson.toString()}, common));
        assertEquals(0, g.code(), g.err());
        JsonObject want = JsonParser.parseString(Files.readString(cpuJson)).getAsJsonObject(),
                got = JsonParser.parseString(Files.readString(devJson)).getAsJsonObject();
        for (String k : want.keySet()) {
            if (k.equals("protocol")) assertEquals(want.get(k), got.get(k));
            else assertEquals(want.get(k).getAsDouble(), got.get(k).getAsDouble(), 1e-3, k);
        }
    }

    /**
     * {@code energy} on the device counts each layer's input there ({@code EnergyCountCl}) and reports what the CPU
     * reports: the counts are integers, so where the two forwards fire the same spikes they are equal. The stem's
     * input is the events themselves, equal on both; deeper layers see the spikes of a float32 forward, which a
     * potential within round-off of the threshold may flip, so their figures may differ by such flips: at most
     * 1e-3 of a layer's figure here.
     */
    @Test
    void energyOnTheDeviceCountsWhatTheCpuCounts() throws IOException {
        String device = "opencl:" + TestUtil.openClTestDevice();
        Path data = TinyData.deviceRoot();
        Path weights = tmp.resolve("model.safetensors");
        ModelFiles.save(weights, calibrated(data, false));
        Path cpuJson = tmp.resolve("cpu.json"), devJson = tmp.resolve("dev.json");
        String[] common = {"--checkpoint", weights.toString(), "--data", data.toString(), "--split", "val"};
        Run c = run(concat(new String[] {"energy", "--json", cpuJson.toString()}, common));
        assertEquals(0, c.code(), c.err());
        Run d = run(concat(new String[] {"energy", "--device", device, "--json", devJson.toString()}, common));
        assertEquals(0, d.code(), d.err());
        assertTrue(d.err().startsWith("device: " + device + " "), "the device is logged first: " + d.err());
        var want = JsonParser.parseString(Files.readString(cpuJson))
                .getAsJsonObject()
                .getAsJsonArray("layers");
        var got = JsonParser.parseString(Files.readString(devJson))
                .getAsJsonObject()
                .getAsJsonArray("layers");
        assertEquals(want.size(), got.size());
        for (int i = 0; i < want.size(); i++) {
            var a = want.get(i).getAsJsonObject();
            var b = got.get(i).getAsJsonObject();
            assertEquals(a.get("name"), b.get("name"));
            for (String k : List.of("input_firing_rate", "acs", "macs", "energy_mj")) {
                if (!a.has(k) || a.get(k).isJsonNull()) continue;
                double x = a.get(k).getAsDouble(), y = b.get(k).getAsDouble();
                if (i == 0) assertEquals(x, y, 0.0, a.get("name") + " " + k);
                else assertEquals(x, y, 1e-3 * Math.abs(x) + 1e-9, a.get("name") + " " + k);
            }
        }
    }

    @Test
    void whatTheDeviceCannotRunIsRefusedClearly() throws IOException {
        Run c = run(
                "check-paths",
                "--device",
                "opencl",
                "--teacher",
                "--input",
                tmp.resolve("absent.npy").toString());
        assertEquals(2, c.code(), c.err());
        assertTrue(c.err().contains("check-paths: --teacher checks on the CPU only"), c.err());

        Run u = run("train", "--device", "cuda", "--run-dir", tmp.resolve("u").toString());
        assertEquals(2, u.code(), u.err());
        assertTrue(u.err().contains("device 'cuda' is unknown"), u.err());
        for (Run r : List.of(c, u))
            assertFalse(r.err().contains("device: opencl"), "refused before opening a device: " + r.err());
    }

    /**
     * How many detections of {@code a} have no detection in {@code b} of the same sample and class, score and box
     * within round-off.
     */
    static int unmatched(Boxes a, Boxes b) {
        boolean[] used = new boolean[b.size()];
        int missing = 0;
        for (int i = 0; i < a.size(); i++) {
            int found = -1;
            for (int j = 0; j < b.size() && found < 0; j++) {
                if (used[j] || a.t(i) != b.t(j) || a.classId(i) != b.classId(j)) continue;
                double box = Math.max(
                        Math.max(Math.abs(a.x(i) - b.x(j)), Math.abs(a.y(i) - b.y(j))),
                        Math.max(Math.abs(a.w(i) - b.w(j)), Math.abs(a.h(i) - b.h(j))));
                double score = Math.abs(a.confidence(i) - b.confidence(j));
                if (box <= BOX_PX && score <= SCORE) found = j;
            }
            if (found >= 0) used[found] = true;
            else missing++;
        }
        return missing;
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
