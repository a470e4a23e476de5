package scn.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
import scn.autograd.Var;
import scn.backend.DeviceMemoryException;
import scn.backend.opencl.ClDevice;
import scn.detect.CenterNetLoss;
import scn.detect.CenterNetTargets;
import scn.detect.SplitDetector;
import scn.nn.ModelConfig;
import scn.nn.SpikingCenterNet;
import scn.tensor.SpikeTensor;
import scn.tensor.Tensor;

/**
 * The whole training step on OpenCL (PoCL on the CPU in CI) against the CPU step on a tiny network
 * (width 0.0625, batch 1 and 2): inference outputs, the loss, every parameter gradient before the
 * update, and the parameters and running statistics after one full step.
 *
 * <p>Tolerances. Both paths compute the same float32 operations, but sums (convolutions, batch-norm
 * statistics, reductions) run in other orders, so values differ by round-off, which the layers pass on
 * amplified by a few orders of magnitude. Worse, a membrane potential that lies within round-off of the
 * threshold may fire on one path and not on the other; such a flipped spike moves the gradients of the
 * layers before it by much more than round-off. So outputs and the loss must agree to 1e-3 relative,
 * and gradients elementwise to 1e-3 of the tensor's largest value, except for a small fraction of the
 * values (at most 1 %), as the fast-versus-reference CPU test allows. After one AdamW step from zero
 * moments every update is about ±lr, so parameters must agree to 2·lr (a gradient of opposite sign
 * near zero moves a weight by at most 2·lr).
 *
 * <p>Without an OpenCL platform the test is skipped, except under {@code CI=true}, where it fails.
 */
class DeviceTrainStepTest {
    private static final ModelConfig TINY = new ModelConfig(0.0625, 1.5, 5, 2, false);
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
        byte[] b = new byte[5 * batch * 4 * 256 * 320];
        for (int i = 0; i < b.length; i++) b[i] = (byte) (r.nextDouble() < 0.15 ? 1 : 0);
        return SpikeTensor.wrap(b, 5, batch, 4, 256, 320);
    }

    /** Two samples: three objects (two classes) and one object. */
    private static Tensor boxes() {
        return Tensor.wrap(
                new float[] {
                    20, 30, 60, 40, 0, 150, 100, 20, 50, 1, 200, 120, 40, 40, 0, 100, 60, 90, 70, 0, 0, 0, 0, 0, -1, 0,
                    0, 0, 0, -1
                },
                2,
                3,
                5);
    }

    @Test
    void stepMatchesTheCpuStep() {
        SpikingCenterNet model = new SpikingCenterNet(TINY, 5);
        try (DeviceTrainStep step = new DeviceTrainStep(dev, model, 1e-4f)) {
            // Inference at batch 1 (the buffers are then remade for batch 2 below).
            SpikeTensor one = spikes(1, 4);
            SplitDetector.Heads got = step.infer(one);
            SpikingCenterNet.Outputs ref;
            try (var scope = Tape.noGrad()) {
                ref = model.forward(Var.constant(one), false);
            }
            closeOutputs("inference", ref, got);

            // Gradients before the update.
            SpikeTensor x = spikes(2, 7);
            Tensor boxes = boxes();
            float[] stats = step.forwardBackward(x, boxes);
            Map<String, float[]> grads = step.gradients();
            for (Parameter p : model.parameters()) p.zeroGrad();
            SpikingCenterNet.Outputs out = model.forward(Var.constant(x), true);
            CenterNetLoss.Terms loss = CenterNetLoss.compute(
                    out.heatmap(),
                    out.offset(),
                    out.size(),
                    CenterNetTargets.forBatch(new CenterNetTargets.Geometry(2, 64, 80, 4, 100), boxes));
            Tape.backward(loss.total());
            float total = loss.total().value().item();
            assertEquals(total, stats[0], 1e-3 * Math.abs(total), "total loss");
            assertEquals(loss.heatmap(), stats[1], 1e-3 * Math.abs(loss.heatmap()), "heatmap loss");
            assertEquals(loss.offset(), stats[2], 1e-3 * Math.abs(loss.offset()), "offset loss");
            assertEquals(loss.size(), stats[3], 1e-3 * Math.abs(loss.size()), "size loss");
            long values = 0, off = 0;
            double sq = 0;
            for (Parameter p : model.parameters()) {
                float[] a = p.grad().data(), c = grads.get(p.name());
                double scale = TestUtil.maxAbs(a);
                for (int i = 0; i < a.length; i++) {
                    values++;
                    sq += (double) a[i] * a[i];
                    if (Math.abs(a[i] - c[i]) > 1e-3 * scale + 1e-6) off++;
                }
            }
            assertTrue(off <= values / 100, off + " of " + values + " gradient values differ beyond round-off");
            assertEquals(sq, stats[5], 1e-3 * sq, "squared gradient norm");

            // One full step on both: clipping, AdamW, then weights and running statistics compared.
            TrainStep cpu = new TrainStep(model, 1e-4f);
            TrainStep.Result cr = cpu.run(x, boxes, LR);
            TrainStep.Result dr = step.run(x, boxes, LR);
            assertEquals(cr.total(), dr.total(), 1e-3 * Math.abs(cr.total()), "total loss of the full step");
            assertEquals(cr.gradNorm(), dr.gradNorm(), 1e-2 * cr.gradNorm(), "gradient norm of the full step");
            assertEquals(1, step.steps());
            SpikingCenterNet back = new SpikingCenterNet(TINY, 99);
            step.downloadInto(back);
            Map<String, Tensor> want = model.stateDict(), have = back.stateDict();
            for (String name : want.keySet()) {
                boolean stat = name.endsWith("running_mean") || name.endsWith("running_var");
                float[] a = want.get(name).data(), c = have.get(name).data();
                if (stat) TestUtil.assertClose(name, a, c, 1e-3 * Math.max(1e-3, TestUtil.maxAbs(a)), 1e-3);
                else TestUtil.assertClose(name, a, c, 2 * LR + 1e-6, 0);
            }
        }
    }

    /**
     * A checkpoint's state (weights, running statistics, AdamW moments, step count) sent to the device and
     * read back is bit for bit what was sent: plain copies, matched by parameter name, m and v not swapped.
     * The device step is built from another model, so nothing can come back from its construction.
     */
    @Test
    void checkpointStateRoundTripsExactly() {
        SpikingCenterNet model = new SpikingCenterNet(TINY, 5);
        AdamW optimizer = new AdamW(model.parameters(), model::decays, 1e-4f);
        SplittableRandom r = new SplittableRandom(11);
        for (Tensor t : model.stateDict().values()) fillRandom(t, r);
        for (Tensor t : optimizer.moments()) fillRandom(t, r);
        optimizer.restore(7);
        try (DeviceTrainStep step = new DeviceTrainStep(dev, new SpikingCenterNet(TINY, 6), 1e-4f)) {
            step.uploadFrom(model, optimizer);
            assertEquals(7, step.steps());
            SpikingCenterNet back = new SpikingCenterNet(TINY, 99);
            AdamW backOptimizer = new AdamW(back.parameters(), back::decays, 1e-4f);
            step.downloadInto(back, backOptimizer);
            assertEquals(7, backOptimizer.steps());
            Map<String, Tensor> want = model.stateDict(), have = back.stateDict();
            for (String name : want.keySet())
                assertArrayEquals(want.get(name).data(), have.get(name).data(), name);
            List<Tensor> m = optimizer.moments(), mb = backOptimizer.moments();
            for (int i = 0; i < m.size(); i++)
                assertArrayEquals(m.get(i).data(), mb.get(i).data(), "moment " + i);
        }
    }

    /**
     * With the heads' output convolutions at 10 times the learning rate, their first update is exactly 10
     * times the plain one (AdamW's first step is lr·g/(|g|+eps), the same g on both runs) and every other
     * parameter moves as without the scale, up to the round-off of the stored weights: the device's
     * optimiser groups are the CPU's.
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

    /**
     * A batch whose stem output alone is over the device's limit per buffer: refused before anything is allocated for
     * it, with the batch size, what it needs and how many samples fit; then a batch of one still steps.
     */
    @Test
    void aBatchTheDeviceCannotHoldIsNamedAndTheStepGoesOn() {
        SpikingCenterNet model = new SpikingCenterNet(TINY, 5);
        try (DeviceTrainStep step = new DeviceTrainStep(dev, model, 1e-4f)) {
            long stemFloats = (long) TINY.timeSteps() * TINY.channels(0) * (256 / 2) * (320 / 2); // one sample
            int batch = (int) (dev.info().maxAllocBytes() / Float.BYTES / stemFloats) + 1;
            long held = dev.heldBytes();
            DeviceMemoryException e = assertThrows(DeviceMemoryException.class, () -> step.prepare(batch));
            String m = e.getMessage();
            assertTrue(m.startsWith("device step: a batch of " + batch + " does not fit on " + dev), m);
            assertTrue(m.contains(" per sample)") && m.contains(" samples fit"), m);
            assertTrue(e.getCause() instanceof DeviceMemoryException, m); // refused before the driver was asked
            assertEquals(held, dev.heldBytes(), "nothing of the batch is left allocated");
            assertTrue(Float.isFinite(step.run(spikes(1, 3), Tensor.wrap(new float[] {20, 30, 60, 40, 0}, 1, 1, 5), LR)
                    .total()));
        }
    }

    private static Map<String, Tensor> stepOnce(SpikeTensor x, float headLrScale) {
        SpikingCenterNet model = new SpikingCenterNet(TINY, 8);
        try (DeviceTrainStep step = new DeviceTrainStep(dev, model, 1e-4f, headLrScale)) {
            step.run(x, boxes(), LR);
            step.downloadInto(model);
        }
        return model.stateDict();
    }

    private static void fillRandom(Tensor t, SplittableRandom r) {
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) d[i] = (float) r.nextDouble(-1, 1);
    }

    private static void closeOutputs(String what, SpikingCenterNet.Outputs ref, SplitDetector.Heads got) {
        Tensor[] r = {ref.heatmap().value(), ref.offset().value(), ref.size().value()};
        Tensor[] g = {got.heatmap(), got.offset(), got.size()};
        for (int i = 0; i < 3; i++) {
            assertEquals(
                    List.of(r[i].dim(0), r[i].dim(1), r[i].dim(2), r[i].dim(3)),
                    List.of(g[i].dim(0), g[i].dim(1), g[i].dim(2), g[i].dim(3)));
            TestUtil.assertClose(
                    what + " output " + i, r[i].data(), g[i].data(), 1e-3 * TestUtil.maxAbs(r[i].data()) + 1e-6, 1e-3);
        }
    }
}
