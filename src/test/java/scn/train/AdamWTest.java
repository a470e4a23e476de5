package scn.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import scn.autograd.Parameter;
import scn.tensor.Tensor;

/** AdamW's per-parameter learning-rate multiple: a scaled parameter moves as an unscaled one would at lr × scale. */
class AdamWTest {
    @Test
    void aScaledParameterMovesAsAtTheScaledRate() {
        SplittableRandom r = new SplittableRandom(2);
        float[] init = new float[37];
        for (int i = 0; i < init.length; i++) init[i] = (float) r.nextDouble(-1, 1);
        Parameter plain = new Parameter("heads.size.hidden.conv.weight", Tensor.wrap(init.clone(), init.length));
        Parameter boosted = new Parameter("heads.size.out.weight", Tensor.wrap(init.clone(), init.length));
        Parameter reference = new Parameter("reference", Tensor.wrap(init.clone(), init.length));
        AdamW scaled = new AdamW(
                List.of(plain, boosted), p -> true, 1e-2f, p -> p.name().contains(".out.") ? 7.0 : 1.0);
        AdamW atScaledRate = new AdamW(List.of(reference), p -> true, 1e-2f);
        float lr = 3e-3f;
        for (int step = 0; step < 5; step++) {
            float[] g = new float[init.length];
            for (int i = 0; i < g.length; i++) g[i] = (float) r.nextGaussian();
            for (Parameter p : List.of(plain, boosted, reference))
                System.arraycopy(g, 0, p.gradBuffer().data(), 0, g.length);
            scaled.step(lr);
            atScaledRate.step(lr * 7);
            scaled.zeroGrad();
            atScaledRate.zeroGrad();
        }
        for (int i = 0; i < init.length; i++) {
            assertEquals(reference.value().data()[i], boosted.value().data()[i], 0f, "scaled parameter [" + i + "]");
            assertEquals(
                    init[i],
                    plain.value().data()[i],
                    0.1f,
                    "the unscaled one moves at most 5 steps of lr (plus decay)");
        }
        assertEquals(
                false,
                java.util.Arrays.equals(plain.value().data(), boosted.value().data()),
                "the scale changes something");
    }
}
