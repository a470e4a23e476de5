package scn.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;
import scn.TestUtil;
import scn.nn.ModelConfig;
import scn.nn.SpikingCenterNet;
import scn.tensor.SpikeTensor;
import scn.tensor.Tensor;

/**
 * Training repeats itself bit for bit: three steps from the same start give the same weights before and
 * after the kernels have been JIT-compiled by a few dozen other steps. (A SIMD lane sum whose order
 * the compiler may change, {@code reduceLanes(ADD)}, broke exactly this.)
 */
class RepeatabilityTest {
    private static final ModelConfig TINY = new ModelConfig(0.0625, 1.5, 5, 2, false);

    private static SpikeTensor spikes(long seed) {
        return SpikeTensor.fromFloat(TestUtil.randomSpikes(seed, 0.03, 5, 2, 4, 256, 320));
    }

    private static Tensor boxes() {
        return Tensor.wrap(new float[] {20, 30, 60, 40, 0, 150, 100, 20, 50, 1, 200, 120, 40, 40, 0, 0, 0, 0, 0, -1}, 2, 2, 5);
    }

    private static Map<String, Tensor> threeSteps(SpikeTensor x) {
        SpikingCenterNet model = new SpikingCenterNet(TINY, 4);
        TrainStep step = new TrainStep(model, 1e-4f, null, 10f);
        for (int i = 0; i < 3; i++) step.run(x, boxes(), 3e-2f);
        return model.stateDict();
    }

    @Test
    void threeStepsGiveTheSameWeightsBeforeAndAfterWarmUp() {
        SpikeTensor x = spikes(1);
        Map<String, Tensor> cold = threeSteps(x);
        SpikingCenterNet other = new SpikingCenterNet(TINY, 9);
        TrainStep warm = new TrainStep(other, 1e-4f);
        SpikeTensor y = spikes(2);
        for (int i = 0; i < 40; i++) warm.run(y, boxes(), 1e-3f);
        Map<String, Tensor> hot = threeSteps(x);
        assertEquals(cold.keySet(), hot.keySet());
        for (String name : cold.keySet()) assertArrayEquals(cold.get(name).data(), hot.get(name).data(), name);
    }
}
