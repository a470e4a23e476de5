package scn.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import scn.TestUtil;
import scn.dist.MemoryTransport;
import scn.dist.Ring;
import scn.dist.Transport;
import scn.model.ModelFiles;
import scn.nn.ModelConfig;
import scn.nn.SpikingCenterNet;
import scn.tensor.Tensor;

/**
 * A training run on an OpenCL device (PoCL on the CPU in CI) against the same run on the CPU, for the student, the
 * ReLU teacher and the distilled student: two steps
 * of batch 1 at width 0.0625, the device run stopped after the first step and resumed from its
 * checkpoint, which must hold what the CPU's holds and continue on the device.
 *
 * <p>Tolerances, as in {@code TrainStepOnDeviceTest}: both paths compute the same float32 operations with
 * sums in other orders, so the loss agrees to 1e-3 relative. The AdamW moments after two steps are
 * sums of clipped gradients (and their squares), which agree elementwise to 1e-3 of the largest such moment in the
 * model except where a membrane potential within round-off of the threshold fired on one path only; at
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

    /** The student, the ReLU teacher, and the student distilling a teacher: each run of the pipeline on the device. */
    @ParameterizedTest
    @ValueSource(strings = {"student", "teacher", "distilled"})
    void deviceRunCheckpointsAndResumesOnTheDevice(String kind) throws IOException {
        String device = "opencl:" + TestUtil.openClTestDevice();
        Path cpuRun = tmp.resolve("cpu"), devRun = tmp.resolve("device");
        Path teacherWeights = tmp.resolve("teacher.safetensors");
        ModelFiles.save(teacherWeights, new SpikingCenterNet(new ModelConfig(0.0625, 1.5, 5, 2, true), 7));
        java.util.function.BiFunction<Path, String, TrainOptions> options = (dir, where) -> {
            TrainOptions o = TinyData.onDevice(dir, where);
            return switch (kind) {
                case "teacher" -> o.toBuilder().teacher(true).build();
                case "distilled" ->
                    o.toBuilder().distillFrom(teacherWeights.toString()).build();
                default -> o;
            };
        };
        Trainer.start(options.apply(cpuRun, "cpu"), QUIET).run();

        Trainer first = Trainer.start(options.apply(devRun, device), QUIET);
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
            assertEquals(want, got, 1e-3 * Math.abs(want), kind + ": loss of step " + (i + 1));
        }

        Checkpoint.Loaded cpu = Checkpoint.load(cpuRun.resolve(Checkpoint.FILE)),
                dev = Checkpoint.load(devRun.resolve(Checkpoint.FILE));
        assertEquals(cpu.tensors().keySet(), dev.tensors().keySet(), "a device checkpoint holds what a CPU one holds");
        assertEquals(2, dev.optimizerSteps());
        // The scale of each moment (m, v) over the whole model: the clipped gradients share one norm, so round-off
        // is relative to it. (Per tensor, a batch norm's bias gradient, a sum that cancels to nearly nothing, would
        // be held to the round-off of its own tiny size: the CPU's fast path and its reference part there as much.)
        Map<String, Double> scale = new java.util.HashMap<>();
        for (Map.Entry<String, Tensor> e : cpu.tensors().entrySet())
            if (e.getKey().startsWith("optimizer."))
                scale.merge(kindOf(e.getKey()), TestUtil.maxAbs(e.getValue().data()), Math::max);
        long values = 0, far = 0;
        for (Map.Entry<String, Tensor> e : cpu.tensors().entrySet()) {
            if (!e.getKey().startsWith("optimizer.")) continue;
            float[] want = e.getValue().data(),
                    got = dev.tensors().get(e.getKey()).data();
            double tol = 1e-3 * scale.get(kindOf(e.getKey())) + 1e-12;
            values += want.length;
            for (int i = 0; i < want.length; i++) if (Math.abs(want[i] - got[i]) > tol) far++;
        }
        assertTrue(far <= values / 100, far + " of " + values + " moment values differ beyond round-off");
    }

    /**
     * Two replicas on the device (opened twice), as {@code train --device D,D} runs them in one process: stopped after
     * their second step and resumed from the checkpoint, which remembers both devices, they end with the weights of
     * the unbroken run bit for bit (each replica's kernels sum in a fixed order, and the all-reduce too).
     */
    @Test
    void replicasOnDevicesStopAndResumeToTheUnbrokenRunsWeights() throws Exception {
        String d = "opencl:" + TestUtil.openClTestDevice();
        Path whole = tmp.resolve("whole"), cut = tmp.resolve("cut");
        // the device set's 3 training samples give each replica one step per epoch
        java.util.function.Function<Path, TrainOptions> options = dir -> TinyData.onDevice(dir, "cpu").toBuilder()
                .device(d + "," + d)
                .replicas(2)
                .epochs(3)
                .build();
        Map<String, Tensor> unbroken = twoReplicas(options.apply(whole), 0, null);
        assertThrows(IOException.class, () -> twoReplicas(options.apply(cut), 1, null), "stopped: no final weights");
        Checkpoint.Loaded saved = Checkpoint.load(cut.resolve(Checkpoint.FILE));
        // replica 1 is asked to stop after step 1; its vote travels with step 2's gradients, after which both stop
        assertEquals(2, saved.position().step());
        assertEquals(d + "," + d, saved.options().device(), "the checkpoint remembers the devices");
        Map<String, Tensor> resumed = twoReplicas(options.apply(cut), 0, cut.resolve(Checkpoint.FILE));
        for (String name : unbroken.keySet())
            assertArrayEquals(unbroken.get(name).data(), resumed.get(name).data(), name);
        assertEquals(3, steps(cut).size(), "the resumed run's log continues the stopped one");
    }

    /** Runs two replicas over memory, each on its thread; replica 1 stops after {@code stopAfter} steps when > 0. */
    private static Map<String, Tensor> twoReplicas(TrainOptions o, long stopAfter, Path resumeFrom) throws Exception {
        List<Transport> ring = MemoryTransport.ring(2, Duration.ofMinutes(5));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Trainer.Summary>> running = new ArrayList<>();
            for (Transport t : ring) {
                Ring r = new Ring(t);
                running.add(pool.submit(() -> {
                    Trainer trainer = resumeFrom == null
                            ? Trainer.start(o, QUIET, r)
                            : Trainer.resume(resumeFrom, null, QUIET, r);
                    if (r.rank() == 1 && stopAfter > 0) trainer.stopAfter(stopAfter);
                    return trainer.run();
                }));
            }
            for (Future<Trainer.Summary> f : running) f.get();
        } finally {
            pool.shutdownNow();
            ring.forEach(Transport::close);
        }
        return Checkpoint.loadModel(Path.of(o.runDir()).resolve(Trainer.MODEL)).stateDict();
    }

    /** {@code optimizer.m} or {@code optimizer.v} of a checkpoint key (or the key, for the step count). */
    private static String kindOf(String key) {
        int second = key.indexOf('.', "optimizer.".length());
        return second < 0 ? key : key.substring(0, second);
    }
}
