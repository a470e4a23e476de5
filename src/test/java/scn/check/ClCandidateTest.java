package scn.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import scn.TestUtil;
import scn.autograd.Var;
import scn.backend.opencl.ClDevice;
import scn.nn.Layer;
import scn.nn.ModelConfig;
import scn.nn.SpikingCenterNet;

/**
 * The layer-by-layer check with the OpenCL kernels as the candidate ({@link ClCandidate}), on the OpenCL
 * device of the tests (PoCL on the CPU in CI): small random student draws pass, and a fault on the device
 * path is caught and named. Without an OpenCL platform the tests are skipped, except under {@code CI=true},
 * where they fail.
 */
class ClCandidateTest {
    /**
     * The smallest student draws ({@link Draw}): widths 0.0625 and 0.25, batch 1 and 2, 32×32 to 96×96, training
     * steps and evaluation forwards. 1.5 to 2.5 s each on two cores, mostly the scalar reference.
     */
    private static final long[] STUDENTS = {17, 23, 33, 16};

    private static ClDevice dev;

    @BeforeAll
    static void open() {
        dev = ClDevice.open(TestUtil.openClTestDevice());
    }

    @AfterAll
    static void close() {
        if (dev != null) dev.close();
    }

    @Test
    void smallStudentDrawsPassLayerByLayer() {
        long start = System.nanoTime();
        ClCandidate candidate = new ClCandidate(dev);
        int eval = 0, flips = 0;
        for (long seed : STUDENTS) {
            Draw d = Draw.of(seed);
            assertFalse(d.config().teacher(), d.toString());
            LayerCheck.Report report = d.check(candidate);
            if (!report.passed()) {
                fail(d + " failed on " + candidate.describe() + ":\n  "
                        + String.join(
                                "\n  ",
                                report.problems().stream().map(Object::toString).toList()));
            }
            assertEquals(2 + 16 + 3 + 3 * 4 + 3 * 2, report.rows().size(), d.toString());
            if (!d.training()) eval++;
            flips += (int) report.rows().stream().mapToLong(LayerRow::flips).sum();
        }
        System.out.printf(
                "ClCandidateTest: %d student draws (%d evaluation; %d explained flips) on %s in %.1f s%n",
                STUDENTS.length, eval, flips, dev.info().name(), (System.nanoTime() - start) / 1e9);
        assertTrue(eval > 0 && eval < STUDENTS.length, "the draws cover both modes");
    }

    /**
     * The device path with the residual left out of the fused batch norm + PLIF (as a kernel that dropped it
     * would): the neuron input, the spikes and the residual's gradient are wrong, and named with the layer.
     */
    @Test
    void aDroppedResidualOnTheDeviceIsNamed() {
        String layer = "encoder.layer2.0.conv2"; // the residual is the downsample's output, never all zero
        ClCandidate cl = new ClCandidate(dev);
        Candidate faulty = new Candidate() {
            @Override
            public String describe() {
                return "opencl without the residual in " + layer;
            }

            @Override
            public Var run(Layer l, Var... inputs) {
                return l.name().equals(layer) ? cl.run(l, inputs[0], null) : cl.run(l, inputs);
            }

            @Override
            public NeuronInput neuronInput(Layer l, Var x, Var residual) {
                return cl.neuronInput(l, x, l.name().equals(layer) ? null : residual);
            }

            @Override
            public boolean composesExactly() {
                return cl.composesExactly();
            }
        };
        Draw d = Draw.of(17);
        assertTrue(d.training(), d.toString());
        LayerCheck.Report report = d.check(faulty);
        assertFalse(report.passed(), "the fault must be found");
        List<Problems.Problem> problems = report.problems();
        for (String tensor : List.of("neuron input", "spikes", "dresidual")) {
            assertTrue(
                    problems.stream()
                            .anyMatch(p -> p.layer().equals(layer) && p.tensor().contains(tensor)),
                    "expected a problem in " + layer + " / " + tensor + ", got " + problems);
        }
        assertTrue(
                problems.stream().allMatch(p -> p.layer().equals(layer)),
                "the next layers start from the reference: " + problems);
    }

    @Test
    void aReluLayerIsRefusedNotRunOnTheCpu() {
        Draw d = Draw.of(17);
        ModelConfig c = d.config();
        var config = new ModelConfig(
                c.width(), c.expansion(), c.timeSteps(), c.classes(), true, c.inputHeight(), c.inputWidth());
        var teacher = new SpikingCenterNet(config, 1);
        assertTrue(teacher.config().teacher());
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> LayerCheck.run(teacher, d.input(), d.boxes(), true, new ClCandidate(dev)));
        assertTrue(e.getMessage().contains("ReLU (teacher) layer"), e.getMessage());
    }
}
