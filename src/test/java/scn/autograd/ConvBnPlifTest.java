package scn.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static scn.TestUtil.random;
import static scn.TestUtil.randomSpikes;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import scn.tensor.Arena;
import scn.tensor.SpikeTensor;
import scn.tensor.Tensor;

/**
 * {@link Functional#convBnPlif}, which runs its convolution again in the backward instead of keeping
 * its output, against {@code conv2d} then {@code batchNormPlif}: the same spikes and the same
 * gradients, bit for bit, with an arena taking the dropped output back.
 */
class ConvBnPlifTest {
    @AfterEach
    void clearTape() {
        Tape.clear();
    }

    /** The layer's outputs then every gradient, flattened. */
    private static float[][] run(boolean recompute, boolean spikeInput, int groups) {
        int t = 3, b = 2, cin = 4, cout = 8;
        Var x = spikeInput
                ? Var.constant(SpikeTensor.fromFloat(randomSpikes(31, 0.3, t, b, cin, 9, 11)))
                : Var.leaf(random(31, t, b, cin, 9, 11));
        Parameter w = new Parameter("layer.conv.weight", random(32, cout, cin / groups, 3, 3));
        Parameter gamma = new Parameter("layer.bn.weight", Tensor.full(0.8f, cout)),
                beta = new Parameter("layer.bn.bias", Tensor.full(0.3f, cout));
        Parameter plifW = new Parameter("layer.plif.w", Tensor.scalar(0.4f));
        Tensor runMean = Tensor.zeros(cout), runVar = Tensor.full(1f, cout);
        Tensor upstream = random(33, t, b, cout, 9, 11);
        try (var scope = new Arena().activate()) {
            Var y = recompute
                    ? Functional.convBnPlif(
                            x,
                            w,
                            1,
                            1,
                            groups,
                            gamma,
                            beta,
                            Var.constant(runMean),
                            Var.constant(runVar),
                            true,
                            0.1f,
                            1e-5f,
                            null,
                            plifW)
                    : Functional.batchNormPlif(
                            Functional.conv2d(x, w, 1, 1, groups),
                            gamma,
                            beta,
                            Var.constant(runMean),
                            Var.constant(runVar),
                            true,
                            0.1f,
                            1e-5f,
                            null,
                            plifW);
            float[] spikes = y.value().data().clone();
            Tape.backward(Arithmetic.sum(Arithmetic.mul(y, Var.constant(upstream))));
            return new float[][] {
                spikes,
                w.grad().data(),
                gamma.grad().data(),
                beta.grad().data(),
                plifW.grad().data(),
                spikeInput ? new float[0] : x.grad().data(),
                runMean.data(),
                runVar.data()
            };
        }
    }

    @ParameterizedTest(name = "spike input {0}, groups {1}")
    @CsvSource({"true, 1", "false, 1", "true, 4"})
    void recomputingTheConvolutionChangesNothing(boolean spikeInput, int groups) {
        float[][] kept = run(false, spikeInput, groups), again = run(true, spikeInput, groups);
        String[] names = {"spikes", "dW", "dGamma", "dBeta", "dPlifW", "dX", "running mean", "running var"};
        for (int i = 0; i < kept.length; i++) assertArrayEquals(kept[i], again[i], names[i]);
    }
}
