package scn.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import scn.autograd.Tape;
import scn.autograd.Var;
import scn.backend.Kernels;
import scn.nn.ModelConfig;
import scn.nn.SpikingCenterNet;
import scn.tensor.Arena;
import scn.tensor.SpikeTensor;
import scn.tensor.Tensor;

/** What a training step keeps in memory: its arena stops growing, and the backward pass gives every activation back. */
class TrainStepMemoryTest {
    private static final ModelConfig TINY = new ModelConfig(0.0625, 1.5, 2, 2, false);

    static SpikeTensor spikes(int batch) {
        SplittableRandom r = new SplittableRandom(5);
        byte[] b = new byte[TINY.timeSteps() * batch * 4 * 256 * 320]; // [T, B, 4, 256, 320]
        for (int i = 0; i < b.length; i++) b[i] = (byte) (r.nextDouble() < 0.05 ? 1 : 0);
        return SpikeTensor.wrapTrusted(b, TINY.timeSteps(), batch, 4, 256, 320);
    }

    static Tensor boxes(int batch) {
        Tensor t = Tensor.zeros(batch, 2, 5); // [B, N, 5]
        for (int b = 0; b < batch; b++) {
            System.arraycopy(new float[] {40 + 30 * b, 50, 60, 40, 0, 150, 100, 30, 70, 1}, 0, t.data(), b * 10, 10);
        }
        return t;
    }

    @Test
    void afterWarmUpAStepAllocatesNothingAndEndsWithItsArraysGivenBack() {
        TrainStep step = new TrainStep(new SpikingCenterNet(TINY, 3), 1e-4f);
        SpikeTensor input = spikes(2);
        Tensor boxes = boxes(2);
        step.run(input, boxes, 1e-3f);
        step.run(input, boxes, 1e-3f);
        long held = step.arena().allocatedBytes();
        for (int i = 0; i < 2; i++) {
            step.run(input, boxes, 1e-3f);
            assertEquals(held, step.arena().allocatedBytes(), "step " + (i + 3) + " allocated new arrays");
        }
        Arena arena = step.arena();
        assertTrue(arena.peakInUseBytes() <= held);
        // Every activation and gradient goes back to the arena as the backward pass goes past it.
        assertTrue(
                arena.inUseBytes() < arena.peakInUseBytes() / 100,
                arena.inUseBytes() + " bytes still in use after the step");
    }

    /**
     * The decoder's attention-transfer term takes its arrays from the step's arena too. The arena cannot see arrays
     * made with {@code new}, so this counts what the calling thread allocates: a step with the term allocates what
     * one without it does (small objects: nodes, closures), not the term's maps and gradients (2.4 MB here when they
     * were new arrays).
     */
    @Test
    void theDecoderTermAllocatesNoArrays() {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        SpikingCenterNet teacher = new SpikingCenterNet(TINY.asTeacher(true), 4);
        TrainStep[] steps = new TrainStep[2]; // without the term, with it
        for (int i = 0; i < 2; i++) {
            Distillation kd =
                    new Distillation(1f, Distillation.Target.PROB, 1f, Distillation.Norm.SUM, false, i, false, false);
            steps[i] = new TrainStep(new SpikingCenterNet(TINY, 3), 1e-4f, teacher, kd, 1f, new Arena());
        }
        SpikeTensor input = spikes(2);
        Tensor boxes = boxes(2);
        long[] least = {Long.MAX_VALUE, Long.MAX_VALUE};
        for (int round = 0; round < 8; round++) {
            for (int i = 0; i < 2; i++) {
                long before = threads.getCurrentThreadAllocatedBytes();
                steps[i].run(input, boxes, 1e-3f);
                // the first rounds warm up (the JIT allocates on this thread too)
                if (round >= 4) least[i] = Math.min(least[i], threads.getCurrentThreadAllocatedBytes() - before);
            }
        }
        assertTrue(
                least[1] - least[0] < 256 << 10,
                "a step allocated " + least[1] + " bytes with the decoder term, " + least[0] + " without");
    }

    /**
     * Tensors may use a prefix of a longer array; an arena that pads every float array with NaNs shows
     * any code that reads past a tensor's size: the steps must match those in exact-length arrays.
     */
    @Test
    void stepsInPaddedArraysMatchStepsInExactOnes() {
        boolean before = Kernels.reference();
        try {
            // the reference kernels; the fast ones; the fast ones distilling every head and the decoder from a teacher
            for (int run = 0; run < 3; run++) {
                boolean reference = run == 0;
                Kernels.forceReference(reference);
                SpikingCenterNet teacher = run < 2 ? null : new SpikingCenterNet(TINY.asTeacher(true), 4);
                Distillation kd = new Distillation(
                        0.5f, Distillation.Target.KL, 2f, Distillation.Norm.OBJECTS, true, 1f, false, false);
                SpikingCenterNet exact = new SpikingCenterNet(TINY, 3), padded = new SpikingCenterNet(TINY, 3);
                TrainStep a = new TrainStep(exact, 1e-4f, teacher, kd, 1f, new Arena());
                TrainStep b = new TrainStep(padded, 1e-4f, teacher, kd, 1f, Arena.padded(17));
                for (int i = 0; i < 2; i++) {
                    TrainStep.Result ra = a.run(spikes(2), boxes(2), 1e-3f), rb = b.run(spikes(2), boxes(2), 1e-3f);
                    assertTrue(
                            rb.finite(),
                            "padded step " + i
                                    + (reference ? " (reference kernels)" : teacher != null ? " (distilling)" : "")
                                    + " is not finite");
                    assertEquals(ra.total(), rb.total(), 1e-5 * Math.abs(ra.total()), "loss of step " + i);
                    assertEquals(ra.gradNorm(), rb.gradNorm(), 1e-4 * ra.gradNorm(), "gradient norm of step " + i);
                }
                for (var e : exact.stateDict().entrySet()) {
                    float[] x = e.getValue().data(),
                            y = padded.stateDict().get(e.getKey()).data();
                    for (int i = 0; i < x.length; i++)
                        assertEquals(x[i], y[i], 1e-5 + 1e-4 * Math.abs(x[i]), e.getKey() + "[" + i + "]");
                }
            }
        } finally {
            Kernels.forceReference(before);
        }
    }

    @Test
    void aResultReadAfterBackwardIsAnError() {
        SpikingCenterNet net = new SpikingCenterNet(TINY, 3);
        Arena arena = new Arena();
        try (var scope = arena.activate()) {
            SpikingCenterNet.Outputs out = net.forward(Var.constant(spikes(1)), true);
            Var loss = scn.autograd.Arithmetic.sum(out.heatmap());
            out.heatmap().value(); // fine before backward
            Tape.backward(loss);
            assertThrows(IllegalStateException.class, () -> out.heatmap().value());
        }
    }
}
