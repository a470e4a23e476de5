package scn.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import scn.TestUtil;
import scn.autograd.Parameter;
import scn.autograd.Tape;
import scn.backend.DeviceMemoryException;
import scn.backend.opencl.ClDevice;
import scn.detect.SplitDetector;
import scn.nn.ModelConfig;
import scn.nn.SpikingCenterNet;
import scn.tensor.Arena;
import scn.tensor.SpikeTensor;
import scn.tensor.Tensor;

/**
 * The same {@link TrainStep}, over the same model code, with the model placed on OpenCL (PoCL on the CPU in CI)
 * against the model on the host: the student's step, the ReLU teacher's, and the student distilling a teacher, on
 * small random inputs (64 × 96, width 0.0625, batch 2); inference; the state's round trip; the memory a step takes.
 *
 * <p>Tolerances. Both backends compute the same float32 operations, but sums (convolutions, batch-norm
 * statistics, reductions) run in other orders, so values differ by round-off, which the layers pass on
 * amplified by a few orders of magnitude. Worse, a membrane potential that lies within round-off of the
 * threshold may fire on one backend and not on the other; such a flipped spike moves the gradients of the
 * layers before it by much more than round-off (the layer-by-layer check, {@code check-paths}, is what tells
 * such a flip from a bug). So outputs and the loss must agree to 1e-3 relative, and gradients elementwise to 1e-3
 * of the tensor's largest value, except for a small fraction of the values (at most 1 %). After one AdamW step
 * from zero moments every update is about ±lr, so parameters must agree to 2·lr (a gradient of opposite sign near
 * zero moves a weight by at most 2·lr).
 *
 * <p>Without an OpenCL platform the test is skipped, except under {@code CI=true}, where it fails.
 */
class TrainStepOnDeviceTest {
    private static final int H = 64, W = 96;
    private static final ModelConfig TINY = new ModelConfig(0.0625, 1.5, 5, 2, false).withInput(H, W);
    private static final ModelConfig TINY_TEACHER = TINY.asTeacher(true);
    private static final float LR = 1e-4f;

    private static ClDevice dev;

    @BeforeAll
    static void openDevice() {
        dev = ClDevice.open(TestUtil.openClTestDevice());
    }

    @AfterAll
    static void close() {
        if (dev != null) dev.close();
    }

    private static SpikeTensor spikes(int batch, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        byte[] b = new byte[5 * batch * 4 * H * W];
        for (int i = 0; i < b.length; i++) b[i] = (byte) (r.nextDouble() < 0.15 ? 1 : 0);
        return SpikeTensor.wrap(b, 5, batch, 4, H, W);
    }

    /** Two samples: two objects (two classes) and one object; the last slots are padding. */
    private static Tensor boxes() {
        return Tensor.wrap(
                new float[] {
                    10, 12, 30, 20, 0, 50, 30, 20, 16, 1, 0, 0, 0, 0, -1, 40, 20, 24, 30, 0, 0, 0, 0, 0, -1, 0, 0, 0, 0,
                    -1
                },
                2,
                3,
                5);
    }

    @Test
    void studentStepMatchesTheHost() {
        compareStep(TINY, null, null);
    }

    @Test
    void teacherStepMatchesTheHost() {
        compareStep(TINY_TEACHER, null, null);
    }

    @Test
    void distillationStepMatchesTheHost() {
        compareStep(TINY, TINY_TEACHER, Distillation.SPEC);
        compareStep(
                TINY,
                TINY_TEACHER,
                new Distillation(0.5f, Distillation.Target.KL, 2f, Distillation.Norm.OBJECTS, true, 1f, false, false));
    }

    /**
     * One step of {@code config} (distilling {@code teacherConfig} as {@code d} unless null) on the host and on the
     * device, from the same initial weights: the loss terms, every gradient, the gradient norm, and the weights and
     * running statistics after the update.
     */
    private static void compareStep(ModelConfig config, ModelConfig teacherConfig, Distillation d) {
        SpikingCenterNet host = new SpikingCenterNet(config, 5), placed = new SpikingCenterNet(config, 5);
        SpikingCenterNet hostTeacher = teacherConfig == null ? null : trainedTeacher(teacherConfig);
        SpikingCenterNet placedTeacher = teacherConfig == null ? null : trainedTeacher(teacherConfig);
        String what = config.teacher() ? "teacher" : d == null ? "student" : "distilled " + d.describe();
        placed.toDevice(dev, true);
        if (placedTeacher != null) placedTeacher.toDevice(dev, false);
        TrainStep onHost = new TrainStep(host, 1e-4f, hostTeacher, d == null ? Distillation.SPEC : d, 1f);
        TrainStep onDevice = new TrainStep(placed, 1e-4f, placedTeacher, d == null ? Distillation.SPEC : d, 1f);
        try {
            SpikeTensor x = spikes(2, 7);
            TrainStep.Losses want = onHost.gradients(x, boxes()), got = onDevice.gradients(x, boxes());
            assertClose(what + " total loss", want.total(), got.total());
            assertClose(what + " heatmap loss", want.heatmap(), got.heatmap());
            assertClose(what + " offset loss", want.offset(), got.offset());
            assertClose(what + " size loss", want.size(), got.size());
            // The term measures the gap between the student's and the teacher's outputs, both near their initial
            // values: a difference of near-equal numbers, which turns the outputs' 1e-3 into about 1e-2 of the term.
            // The kernel itself, on equal inputs, is held to 1e-5 by check-kernels (ClDistillationCases).
            assertEquals(want.distill(), got.distill(), 1e-2 * Math.abs(want.distill()), what + " distillation loss");
            if (d != null) assertTrue(want.distill() > 0, what + ": a distillation term");
            List<Parameter> hp = host.parameters(), dp = placed.parameters();
            long values = 0, off = 0;
            for (int k = 0; k < hp.size(); k++) {
                float[] a = hp.get(k).grad().data(), c = new float[a.length];
                dev.read(c, dp.get(k).deviceGrad());
                double scale = TestUtil.maxAbs(a);
                for (int i = 0; i < a.length; i++) {
                    values++;
                    if (Math.abs(a[i] - c[i]) > 1e-3 * scale + 1e-6) off++;
                }
            }
            assertTrue(off <= values / 100, what + ": " + off + " of " + values + " gradient values differ");

            TrainStep.Result hr = onHost.update(want, LR), dr = onDevice.update(got, LR);
            assertEquals(hr.gradNorm(), dr.gradNorm(), 1e-2 * hr.gradNorm(), what + " gradient norm");
            placed.download();
            Map<String, Tensor> a = host.stateDict(), b = placed.stateDict();
            for (String name : a.keySet()) {
                boolean stat = name.endsWith("running_mean") || name.endsWith("running_var");
                float[] u = a.get(name).data(), v = b.get(name).data();
                if (stat)
                    TestUtil.assertClose(what + " " + name, u, v, 1e-3 * Math.max(1e-3, TestUtil.maxAbs(u)), 1e-3);
                else TestUtil.assertClose(what + " " + name, u, v, 2 * LR + 1e-6, 0);
            }
        } finally {
            onDevice.optimizer().releaseDevice();
            placed.toHost();
            if (placedTeacher != null) placedTeacher.toHost();
        }
    }

    /** A teacher whose running statistics are not the initial ones, so that evaluation mode means something. */
    private static SpikingCenterNet trainedTeacher(ModelConfig config) {
        SpikingCenterNet t = new SpikingCenterNet(config, 9);
        SplittableRandom r = new SplittableRandom(3);
        for (Map.Entry<String, Tensor> e : t.stateDict().entrySet()) {
            float[] v = e.getValue().data();
            if (e.getKey().endsWith("running_mean"))
                for (int i = 0; i < v.length; i++) v[i] = (float) r.nextDouble(-0.2, 0.2);
            if (e.getKey().endsWith("running_var"))
                for (int i = 0; i < v.length; i++) v[i] = (float) r.nextDouble(0.5, 2);
        }
        return t;
    }

    private static void assertClose(String what, float want, float got) {
        assertEquals(want, got, 1e-3 * Math.abs(want) + 1e-6, what);
    }

    /**
     * Inference on the device: the heads equal the host's within the tolerances above, and the model placed for
     * inference holds no gradients (and no optimiser exists), so its device memory is its weights and statistics.
     */
    @Test
    void inferenceMatchesTheHostAndHoldsNoGradients() {
        for (ModelConfig config : List.of(TINY, TINY_TEACHER)) {
            SpikingCenterNet host = trainedTeacher(config), placed = trainedTeacher(config);
            SpikeTensor x = spikes(1, 4);
            SplitDetector.Heads want =
                    SplitDetector.inference(host, new Arena()).apply(x);
            placed.toDevice(dev, false);
            try {
                assertNull(placed.device().gradients());
                for (Parameter p : placed.parameters()) assertNull(p.deviceGrad(), p.name());
                assertEquals(
                        4L * (placed.parameterCount() + statistics(placed)),
                        placed.device().bytes(),
                        1024.0 * 4 * 200);
                SplitDetector.Heads got =
                        SplitDetector.inference(placed, new Arena()).apply(x);
                // copies: the host's heads may lie in longer arena arrays
                Tensor[]
                        r =
                                {
                                    want.heatmap().copy(),
                                    want.offset().copy(),
                                    want.size().copy()
                                },
                        g = {got.heatmap(), got.offset(), got.size()};
                for (int i = 0; i < 3; i++) {
                    assertArrayEquals(r[i].shapeRef(), g[i].shapeRef());
                    TestUtil.assertClose(
                            config + " head " + i,
                            r[i].data(),
                            g[i].data(),
                            1e-3 * TestUtil.maxAbs(r[i].data()) + 1e-6,
                            1e-3);
                }
            } finally {
                placed.toHost();
            }
        }
    }

    private static long statistics(SpikingCenterNet m) {
        long n = 0;
        for (Map.Entry<String, Tensor> e : m.stateDict().entrySet())
            if (e.getKey().contains("running_")) n += e.getValue().size();
        return n;
    }

    /**
     * A checkpoint's state (weights, running statistics, AdamW moments) sent to the device and read back is bit for
     * bit what was sent: the host tensors are spoiled in between, so nothing can come from them.
     */
    @Test
    void stateRoundTripsExactly() {
        SpikingCenterNet model = new SpikingCenterNet(TINY, 5);
        AdamW optimizer = new AdamW(model.parameters(), model::decays, 1e-4f);
        SplittableRandom r = new SplittableRandom(11);
        for (Tensor t : model.stateDict().values()) fillRandom(t, r);
        for (Tensor t : optimizer.moments()) fillRandom(t, r);
        Map<String, float[]> state = copies(model.stateDict());
        List<float[]> moments =
                optimizer.moments().stream().map(t -> t.data().clone()).toList();
        model.toDevice(dev, true);
        try {
            optimizer.upload();
            for (Tensor t : model.stateDict().values()) fillRandom(t, r);
            for (Tensor t : optimizer.moments()) fillRandom(t, r);
            model.download();
            optimizer.download();
            Map<String, Tensor> back = model.stateDict();
            for (String name : state.keySet())
                assertArrayEquals(state.get(name), back.get(name).data(), name);
            for (int i = 0; i < moments.size(); i++)
                assertArrayEquals(moments.get(i), optimizer.moments().get(i).data(), "moment " + i);
        } finally {
            optimizer.releaseDevice();
            model.toHost();
        }
    }

    /**
     * With the heads' output convolutions at 10 times the learning rate, their first update is exactly 10 times the
     * plain one (AdamW's first step is lr·g/(|g|+eps), the same g on both runs) and every other parameter moves as
     * without the scale, up to the round-off of the stored weights.
     */
    @Test
    void headOutputsLearnAtTheirScale() {
        SpikeTensor x = spikes(2, 3);
        Map<String, Tensor> start = new SpikingCenterNet(TINY, 8).stateDict();
        Map<String, Tensor> plain = stepOnce(x, 1f), scaled = stepOnce(x, 10f);
        int boosted = 0;
        for (String name : start.keySet()) {
            if (name.endsWith("running_mean") || name.endsWith("running_var")) continue;
            float[] s0 = start.get(name).data(),
                    a = plain.get(name).data(),
                    b = scaled.get(name).data();
            boolean head = name.startsWith("heads.") && name.contains(".out.");
            if (head) boosted++;
            for (int i = 0; i < s0.length; i++) {
                double want = head ? 10.0 * (a[i] - s0[i]) : a[i] - s0[i];
                // Each difference of stored floats carries up to one ulp of the weight; the plain one is then
                // multiplied by 10.
                assertEquals(
                        want,
                        b[i] - s0[i],
                        1e-4 * Math.abs(want) + 12 * Math.ulp(Math.abs(s0[i]) + 1e-3f),
                        name + "[" + i + "]");
            }
        }
        assertEquals(6, boosted, "weight and bias of three heads");
    }

    private static Map<String, Tensor> stepOnce(SpikeTensor x, float headLrScale) {
        SpikingCenterNet model = new SpikingCenterNet(TINY, 8);
        model.toDevice(dev, true);
        TrainStep step = new TrainStep(model, 1e-4f, null, Distillation.SPEC, headLrScale);
        step.run(x, boxes(), LR);
        step.optimizer().releaseDevice();
        model.toHost();
        return model.stateDict();
    }

    /**
     * Once a step of a batch size has run, the next ones allocate nothing on the device: every activation and
     * gradient comes back to the device's arena.
     */
    @Test
    void laterStepsAllocateNothing() {
        SpikingCenterNet model = new SpikingCenterNet(TINY, 5);
        model.toDevice(dev, true);
        TrainStep step = new TrainStep(model, 1e-4f);
        try {
            step.run(spikes(2, 1), boxes(), LR);
            step.run(spikes(2, 2), boxes(), LR);
            long held = dev.heldBytes();
            step.run(spikes(2, 3), boxes(), LR);
            assertEquals(held, dev.heldBytes(), "device bytes held after a third step");
        } finally {
            step.optimizer().releaseDevice();
            model.toHost();
        }
    }

    /**
     * A batch whose stem output alone is over the device's limit per buffer is refused with the batch size and what
     * the device holds; nothing of it stays allocated, and a batch of one still steps.
     */
    @Test
    void aBatchTheDeviceCannotHoldIsNamedAndTheStepGoesOn() {
        // Width 1, so that the batch whose stem output is over the limit has an input of at most maxAlloc / 16 bytes.
        ModelConfig wide = new ModelConfig(1, 1.5, 5, 2, false).withInput(H, W);
        SpikingCenterNet model = new SpikingCenterNet(wide, 5);
        model.toDevice(dev, true);
        TrainStep step = new TrainStep(model, 1e-4f);
        try {
            long stemFloats = (long) wide.timeSteps() * wide.channels(0) * (H / 2) * (W / 2); // one sample
            int batch = (int) (dev.info().maxAllocBytes() / Float.BYTES / stemFloats) + 1;
            SpikeTensor huge = SpikeTensor.wrap(new byte[5 * batch * 4 * H * W], 5, batch, 4, H, W);
            Tensor boxes = Tensor.full(-1, batch, 1, 5);
            long held = dev.heldBytes();
            DeviceMemoryException e = assertThrows(DeviceMemoryException.class, () -> step.run(huge, boxes, LR));
            String m = e.getMessage();
            assertTrue(m.startsWith("a training step of " + batch + " samples does not fit on " + dev), m);
            assertTrue(m.contains("MiB") && m.contains("--batch"), m);
            assertEquals(0, Tape.size(), "the failed step left nothing on the tape");
            DeviceMemoryException f = assertThrows(
                    DeviceMemoryException.class,
                    () -> SplitDetector.inference(model, new Arena()).apply(huge));
            assertTrue(
                    f.getMessage().startsWith("an inference pass of " + batch + " samples does not fit on " + dev),
                    f.getMessage());
            assertTrue(dev.heldBytes() <= held, "nothing of the batch is left allocated");
            assertTrue(Float.isFinite(step.run(spikes(1, 3), Tensor.wrap(new float[] {10, 12, 30, 20, 0}, 1, 1, 5), LR)
                    .total()));
        } finally {
            step.optimizer().releaseDevice();
            model.toHost();
        }
    }

    private static Map<String, float[]> copies(Map<String, Tensor> state) {
        Map<String, float[]> out = new java.util.LinkedHashMap<>();
        state.forEach((k, v) -> out.put(k, v.data().clone()));
        return out;
    }

    private static void fillRandom(Tensor t, SplittableRandom r) {
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) d[i] = (float) r.nextDouble(-1, 1);
    }
}
