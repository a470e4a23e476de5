package scn.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static scn.TestUtil.assertClose;
import static scn.TestUtil.random;
import static scn.TestUtil.randomSpikes;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import scn.backend.Kernels;
import scn.tensor.Arena;
import scn.tensor.SpikeTensor;
import scn.tensor.Tensor;

/**
 * The fused {@code plif(bn(x) + residual)} ({@link Functional#batchNormPlif}) and its form that runs
 * the convolution again ({@link Functional#convBnPlif}) against the composition of the separately
 * checked operators, {@code plif(add(batchNorm2d(conv2d(x)), residual), w)}: the same spikes and
 * running statistics, and the same gradients of the input, the residual, the convolution weight, γ, β
 * and the neuron's w; in training and evaluation mode, without, with a float and with a spike residual,
 * with the references forced and on the fast paths. The fused backward forms the neuron's input again
 * from its input and the saved statistics instead of keeping it; this checks that it forms the right one.
 *
 * <p>Tolerances: spikes and running statistics must be identical, since both sides form every value with
 * the same float32 operations of the same kernels. Gradients agree bit for bit today too; the tolerance
 * only admits float32 sums taken in another order, of at most T·B·C·H·W = 630 terms of size about 1
 * (w's gradient; relative error ≤ 630·2⁻²⁴ ≈ 4e-5), so {@code |fused − composed| ≤ 1e-5 + 1e-4·|composed|}. The
 * gradients here are of order 1, so a dropped term or a wrong sign is off by far more.
 */
class BatchNormPlifTest {
    private static final int T = 3, B = 2, CIN = 2, C = 3, H = 5, W = 7;
    private static final float MOMENTUM = 0.1f, EPS = 1e-5f;
    /** Not 0, so w's gradient has its {@code decay·(1 − decay)} factor away from 1/4. */
    private static final float PLIF_W = 0.7f;

    private static final String[] NAMES = {
        "spikes", "running mean", "running var", "dX", "dConvW", "dResidual", "dGamma", "dBeta", "dPlifW"
    };

    @AfterEach
    void clearTape() {
        Tape.clear();
    }

    static Stream<Arguments> cases() {
        List<Arguments> all = new ArrayList<>();
        for (boolean reference : new boolean[] {true, false}) {
            for (boolean conv : new boolean[] {false, true}) {
                for (boolean training : new boolean[] {true, false}) {
                    for (String residual : new String[] {"none", "float", "spikes"}) {
                        all.add(Arguments.of(reference, conv, training, residual));
                    }
                }
            }
        }
        return all.stream();
    }

    /** {@code γ} of about 2 and {@code β} of about 0.6 spread the neuron's inputs over the threshold 1. */
    private static Tensor around(long seed, float centre, float spread, int n) {
        Tensor t = random(seed, n);
        for (int i = 0; i < n; i++) t.data()[i] = centre + spread * t.data()[i];
        return t;
    }

    /**
     * One pass, fused or composed, from the same inputs: the spikes, running statistics and gradients
     * in the order of {@link #NAMES} (empty where a case has no such gradient).
     */
    private static float[][] run(boolean fused, boolean conv, boolean training, String residualKind) {
        Var x = Var.leaf(random(1, T, B, conv ? CIN : C, H, W));
        Parameter convW = new Parameter("layer.conv.weight", random(2, C, CIN, 3, 3));
        Parameter gamma = new Parameter("layer.bn.weight", around(3, 2f, 0.5f, C));
        Parameter beta = new Parameter("layer.bn.bias", around(4, 0.6f, 0.2f, C));
        Parameter w = new Parameter("layer.plif.w", Tensor.scalar(PLIF_W));
        // Evaluation mode normalises with these: a mean off zero and a variance near the batch's own.
        Tensor runMean = around(5, 0.1f, 0.2f, C), runVar = around(6, conv ? 2f : 0.4f, 0.1f, C);
        SpikeTensor resSpikes = SpikeTensor.fromFloat(randomSpikes(7, 0.3, T, B, C, H, W));
        Var residual = switch (residualKind) {
            case "none" -> null;
            case "float" -> Var.leaf(random(8, T, B, C, H, W));
            // The fused layer reads spike bytes; the composition adds them as floats. Var.result makes
            // a spike value that collects a gradient, as a previous neuron's output does.
            case "spikes" -> fused ? Var.result(resSpikes, true) : Var.leaf(resSpikes.toFloat());
            default -> throw new IllegalArgumentException(residualKind);
        };
        Tensor upstream = random(9, T, B, C, H, W);
        try (var scope = new Arena().activate()) {
            Var y;
            if (fused && conv) {
                y = Functional.convBnPlif(
                        x,
                        convW,
                        1,
                        1,
                        1,
                        gamma,
                        beta,
                        Var.constant(runMean),
                        Var.constant(runVar),
                        training,
                        MOMENTUM,
                        EPS,
                        residual,
                        w);
            } else if (fused) {
                y = Functional.batchNormPlif(
                        x,
                        gamma,
                        beta,
                        Var.constant(runMean),
                        Var.constant(runVar),
                        training,
                        MOMENTUM,
                        EPS,
                        residual,
                        w);
            } else {
                Var in = conv ? Functional.conv2d(x, convW, 1, 1, 1) : x;
                Var pre = Functional.batchNorm2d(
                        in, gamma, beta, Var.constant(runMean), Var.constant(runVar), training, MOMENTUM, EPS);
                if (residual != null) pre = Functional.add(pre, residual);
                y = Functional.plif(pre, w);
            }
            float[] spikes = y.value().data().clone();
            Tape.backward(Arithmetic.sum(Arithmetic.mul(y, Var.constant(upstream))));
            return new float[][] {
                spikes,
                runMean.data(),
                runVar.data(),
                x.grad().data(),
                conv ? convW.grad().data() : new float[0],
                residual == null ? new float[0] : residual.grad().data().clone(),
                gamma.grad().data(),
                beta.grad().data(),
                w.grad().data()
            };
        }
    }

    @ParameterizedTest(name = "reference={0} conv={1} training={2} residual={3}")
    @MethodSource("cases")
    void fusedMatchesTheComposition(boolean reference, boolean conv, boolean training, String residual) {
        boolean before = Kernels.reference();
        Kernels.forceReference(reference);
        try {
            float[][] composed = run(false, conv, training, residual), fused = run(true, conv, training, residual);
            double fired = 0;
            for (float s : composed[0]) fired += s;
            fired /= composed[0].length;
            assertTrue(fired > 0.15 && fired < 0.85, "a fair share of neurons fires, got " + fired);
            for (int i = 0; i < 3; i++) assertArrayEquals(composed[i], fused[i], NAMES[i]);
            for (int i = 3; i < NAMES.length; i++) assertClose(NAMES[i], composed[i], fused[i], 1e-5, 1e-4);
        } finally {
            Kernels.forceReference(before);
        }
    }
}
