package scn.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import scn.TestUtil;
import scn.autograd.Parameter;
import scn.nn.ModelConfig;
import scn.nn.SpikingCenterNet;
import scn.tensor.SpikeTensor;
import scn.tensor.Tensor;

/**
 * Training repeats itself bit for bit: three steps from the same start give the same weights before and
 * after the kernels have been JIT-compiled by a few dozen other steps. (A SIMD lane sum whose order
 * the compiler may change, {@code reduceLanes(ADD)}, broke exactly this.)
 *
 * <p>A step whose loss or gradient is not finite is skipped and changes no weight, so two runs of
 * skipped steps would agree trivially: every step here must be finite, and the three steps must move
 * every trained tensor away from its initial value.
 */
class RepeatabilityTest {
    private static final ModelConfig TINY = new ModelConfig(0.0625, 1.5, 5, 2, false);

    private static SpikeTensor spikes(long seed) {
        return SpikeTensor.fromFloat(TestUtil.randomSpikes(seed, 0.03, 5, 2, 4, 256, 320));
    }

    private static Tensor boxes() {
        float[] b = {20, 30, 60, 40, 0, 150, 100, 20, 50, 1, 200, 120, 40, 40, 0, 0, 0, 0, 0, -1};
        return Tensor.wrap(b, 2, 2, 5);
    }

    /** Runs {@code step}, failing unless it was applied (a finite loss and gradient norm). */
    private static void runFinite(TrainStep step, SpikeTensor x, float lr, String which) {
        TrainStep.Result r = step.run(x, boxes(), lr);
        assertTrue(r.finite(), which + " was skipped as non-finite: " + r);
    }

    private static Map<String, Tensor> threeSteps(SpikeTensor x) {
        SpikingCenterNet model = new SpikingCenterNet(TINY, 4);
        List<Tensor> initial = new ArrayList<>();
        for (Parameter p : model.parameters()) initial.add(p.value().copy());
        TrainStep step = new TrainStep(model, 1e-4f, null, 10f);
        for (int i = 0; i < 3; i++) runFinite(step, x, 3e-2f, "step " + i);
        List<Parameter> params = model.parameters();
        for (int i = 0; i < params.size(); i++) {
            boolean moved =
                    !Arrays.equals(initial.get(i).data(), params.get(i).value().data());
            assertTrue(moved, params.get(i).name() + " did not change in three steps");
        }
        return model.stateDict();
    }

    @Test
    void threeStepsGiveTheSameWeightsBeforeAndAfterWarmUp() {
        SpikeTensor x = spikes(1);
        Map<String, Tensor> cold = threeSteps(x);
        SpikingCenterNet other = new SpikingCenterNet(TINY, 9);
        TrainStep warm = new TrainStep(other, 1e-4f);
        SpikeTensor y = spikes(2);
        for (int i = 0; i < 40; i++) runFinite(warm, y, 1e-3f, "warm-up step " + i);
        Map<String, Tensor> hot = threeSteps(x);
        assertEquals(cold.keySet(), hot.keySet());
        for (String name : cold.keySet())
            assertArrayEquals(cold.get(name).data(), hot.get(name).data(), name);
    }
}
