package scn.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import scn.autograd.Var;
import scn.nn.Layer;

/**
 * The layer-by-layer check on random draws ({@link Draw}), and the check catching faults put into the
 * path under test on purpose: a spike flipped far from the threshold, a neuron input moved by more than
 * round-off, gradients scaled by 0.2 %, a wrong max-pool. Each fault must be named with its layer and tensor.
 */
class LayerCheckTest {
    /**
     * Draws covering teacher and student, training and evaluation, every spike path and odd sizes: about
     * 40 s on two cores. {@code bench/fuzz-paths.sh} runs many more.
     */
    private static final int DRAWS = 16;

    @Test
    void randomDrawsPassLayerByLayer() {
        long start = System.nanoTime();
        int teacher = 0, eval = 0, flips = 0;
        for (long seed = 1; seed <= DRAWS; seed++) {
            Draw d = Draw.of(seed);
            LayerCheck.Report report = d.check(new CpuFast());
            if (!report.passed())
                fail(d + " failed:\n  "
                        + String.join(
                                "\n  ",
                                report.problems().stream().map(Object::toString).toList()));
            assertEquals(expectedLayers(d), report.rows().size(), d.toString());
            if (d.config().teacher()) teacher++;
            if (!d.training()) eval++;
            flips += (int) report.rows().stream().mapToLong(LayerRow::flips).sum();
        }
        System.out.printf(
                "LayerCheckTest: %d draws (%d teacher, %d evaluation; %d explained flips) in %.1f s%n",
                DRAWS, teacher, eval, flips, (System.nanoTime() - start) / 1e9);
        assertTrue(
                teacher > 0 && teacher < DRAWS && eval > 0 && eval < DRAWS,
                "the draws cover both networks and both modes");
    }

    /** stem + max-pool, 8 blocks (16 ConvBnActs, 3 shortcuts), 3 decoder blocks (4 layers each), 3 heads (2 each). */
    private static int expectedLayers(Draw d) {
        return 2 + 16 + 3 + 3 * 4 + 3 * 2;
    }

    /** A candidate that runs the fast path and then spoils one thing. */
    private static final class Faulty implements Candidate {
        final CpuFast fast = new CpuFast();
        final Predicate<Layer> where;
        final java.util.function.BiConsumer<Layer, Var> spoilOutput;
        final boolean spoilInput;

        Faulty(Predicate<Layer> where, java.util.function.BiConsumer<Layer, Var> spoilOutput, boolean spoilInput) {
            this.where = where;
            this.spoilOutput = spoilOutput;
            this.spoilInput = spoilInput;
        }

        @Override
        public String describe() {
            return "faulty";
        }

        @Override
        public Var run(Layer layer, Var... inputs) {
            Var out = fast.run(layer, inputs);
            if (where.test(layer) && spoilOutput != null) spoilOutput.accept(layer, out);
            return out;
        }

        @Override
        public NeuronInput neuronInput(Layer layer, Var x, Var residual) {
            NeuronInput in = fast.neuronInput(layer, x, residual);
            if (where.test(layer) && spoilInput)
                in.pre()[in.pre().length / 3] *= 1.001f; // 1e-3 relative: far above round-off
            return in;
        }

        @Override
        public boolean composesExactly() {
            return true;
        }
    }

    private static List<Problems.Problem> problemsWith(Candidate c, long seed) {
        LayerCheck.Report report = Draw.of(seed).check(c);
        assertFalse(report.passed(), "the fault must be found");
        return report.problems();
    }

    private static void assertNamed(List<Problems.Problem> problems, String layer, String tensor) {
        assertTrue(
                problems.stream()
                        .anyMatch(p -> p.layer().equals(layer) && p.tensor().contains(tensor)),
                "expected a problem in " + layer + " / " + tensor + ", got " + problems);
    }

    /** Seed 4: a student in training mode, width 0.25, batch 3 (see Draw). */
    private static final long STUDENT = 4;

    @Test
    void aSpikeFlippedFarFromTheThresholdIsUnexplained() {
        assertFalse(Draw.of(STUDENT).config().teacher());
        String layer = "encoder.layer2.0.conv1";
        var problems = problemsWith(
                new Faulty(
                        l -> l.name().equals(layer),
                        (l, out) -> {
                            byte[] s = out.spikes().data();
                            s[s.length / 2] ^= 1;
                        },
                        false),
                STUDENT);
        assertNamed(problems, layer, "spikes");
        assertTrue(
                problems.stream().allMatch(p -> p.layer().equals(layer)),
                "the next layers start from the reference: " + problems);
    }

    @Test
    void aNeuronInputOffByMoreThanRoundOffIsNamed() {
        String layer = "decoder.up2.depthwise";
        assertNamed(problemsWith(new Faulty(l -> l.name().equals(layer), null, true), STUDENT), layer, "neuron input");
    }

    @Test
    void gradientsOffByTwoPerMilleAreNamed() {
        String layer = "heads.size.hidden";
        var problems = problemsWith(
                new Faulty(
                        l -> l.name().equals(layer),
                        (l, out) -> out.onGradient(dy -> {
                            float[] d = dy.data();
                            for (int i = 0; i < d.length; i++) d[i] *= 1.002f;
                        }),
                        false),
                STUDENT);
        assertNamed(problems, layer, "dheads.size.hidden.conv.weight");
        assertNamed(problems, layer, "dx");
    }

    @Test
    void aWrongOperationBetweenNeuronsIsNamed() {
        String layer = "encoder.stem.maxpool";
        var problems = problemsWith(
                new Faulty(
                        l -> l.name().equals(layer),
                        (l, out) -> {
                            byte[] s = out.spikes().data();
                            for (int i = 0; i < s.length; i += 7) s[i] = 0;
                        },
                        false),
                STUDENT);
        assertNamed(problems, layer, "output");
    }
}
