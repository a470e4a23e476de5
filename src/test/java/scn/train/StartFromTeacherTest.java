package scn.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import scn.autograd.Parameter;
import scn.nn.ModelConfig;
import scn.nn.SpikingCenterNet;
import scn.tensor.Tensor;

/** {@code --distill-init}: the student takes every weight its ReLU teacher has, and keeps the rest. */
class StartFromTeacherTest {
    private static final ModelConfig TINY = new ModelConfig(0.0625, 1.5, 2, 2, false);

    @Test
    void theStudentTakesTheTeachersWeightsAndKeepsItsPlifConstantsAndRunningStatistics() {
        SpikingCenterNet teacher = new SpikingCenterNet(TINY.asTeacher(true), 4);
        SplittableRandom r = new SplittableRandom(9);
        for (Parameter p : teacher.parameters()) { // values no initialisation gives
            float[] v = p.value().data();
            for (int i = 0; i < v.length; i++) v[i] = (float) r.nextDouble(-1, 1);
        }
        teacher.stateDict().forEach((name, t) -> {
            if (name.endsWith("running_mean")) java.util.Arrays.fill(t.data(), 0.5f);
        });
        SpikingCenterNet student = new SpikingCenterNet(TINY, 3), fresh = new SpikingCenterNet(TINY, 3);
        Map<String, Tensor> taught = teacher.stateDict(), own = fresh.stateDict();

        assertEquals(teacher.parameters().size(), student.copyParametersFrom(teacher));
        int plif = 0;
        for (Parameter p : student.parameters()) {
            Tensor from = taught.get(p.name());
            if (from != null) {
                assertArrayEquals(from.data(), p.value().data(), p.name());
            } else {
                assertTrue(p.name().contains("plif"), p.name() + " is neither the teacher's nor a PLIF's");
                assertArrayEquals(own.get(p.name()).data(), p.value().data(), p.name());
                plif++;
            }
        }
        assertTrue(plif > 0);
        student.stateDict().forEach((name, t) -> {
            if (name.contains("running")) assertArrayEquals(own.get(name).data(), t.data(), name);
        });
    }
}
