package scn.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import scn.autograd.Parameter;
import scn.autograd.Tape;
import scn.data.Batch;
import scn.nn.ModelConfig;
import scn.nn.SpikingCenterNet;

/**
 * A student started from its teacher has its heads fitted to the teacher's outputs: on the calibration batch, each
 * output channel's mean then equals the teacher's, and what is left over is uncorrelated with the student's output (the
 * two conditions of a least-squares fit of scale and shift).
 */
class HeadCalibrationTest {
    private static final ModelConfig TINY = new ModelConfig(0.0625, 1.5, 2, 2, false);

    @Test
    void eachHeadChannelFitsTheTeachersOutputInTheLeastSquaresSense() {
        SpikingCenterNet teacher = new SpikingCenterNet(TINY.asTeacher(true), 4);
        SplittableRandom r = new SplittableRandom(9);
        for (Parameter p : teacher.parameters()) { // a teacher whose heads say something
            if (!p.name().startsWith("heads.") || !p.name().contains(".out.")) continue;
            float[] v = p.value().data();
            for (int i = 0; i < v.length; i++) v[i] = (float) r.nextDouble(-1, 1);
        }
        SpikingCenterNet student = new SpikingCenterNet(TINY, 3);
        student.copyParametersFrom(teacher);
        Batch batch =
                new Batch(TrainStepMemoryTest.spikes(2), TrainStepMemoryTest.boxes(2), new String[2], new long[2]);

        java.util.Map<String, float[]> running = new java.util.HashMap<>();
        student.stateDict().forEach((name, v) -> {
            if (name.contains("running_")) running.put(name, v.data().clone());
        });
        float[][] scales = HeadCalibration.apply(student, teacher, batch);
        assertEquals(3, scales.length);
        student.stateDict().forEach((name, v) -> {
            if (running.containsKey(name))
                org.junit.jupiter.api.Assertions.assertArrayEquals(
                        running.get(name), v.data(), name + ": the fit leaves the running statistics alone");
        });

        SpikingCenterNet.Outputs s, t;
        try (var noGrad = Tape.noGrad()) {
            t = teacher.forward(teacher.input(batch.input()), false, true);
            s = student.forward(student.input(batch.input()), true, true);
        }
        float[][][] pairs = {
            {s.heatmap().value().data(), t.heatmap().value().data()},
            {s.offset().value().data(), t.offset().value().data()},
            {s.size().value().data(), t.size().value().data()}
        };
        int[] shape = s.heatmap().shape();
        int cells = shape[2] * shape[3];
        for (int h = 0; h < 3; h++) {
            float[] zs = pairs[h][0], zt = pairs[h][1];
            int k = zs.length / (2 * cells);
            for (int c = 0; c < k; c++) {
                double ms = 0, mt = 0, n = 2.0 * cells;
                for (int b = 0; b < 2; b++)
                    for (int p = 0; p < cells; p++) {
                        ms += zs[(b * k + c) * cells + p] / n;
                        mt += zt[(b * k + c) * cells + p] / n;
                    }
                double cov = 0, var = 0;
                for (int b = 0; b < 2; b++)
                    for (int p = 0; p < cells; p++) {
                        double u = zs[(b * k + c) * cells + p] - ms, e = zt[(b * k + c) * cells + p] - mt - u;
                        cov += u * e / n;
                        var += u * u / n;
                    }
                String what = "head " + h + " channel " + c;
                assertEquals(mt, ms, 1e-4 * (1 + Math.abs(mt)), what + ": mean");
                assertTrue(var > 0, what + ": the student's output varies");
                // float round-off in the outputs (whose spread can be small next to their mean) leaves a little
                assertEquals(0, cov / var, 1e-2, what + ": residual against the student's output");
            }
        }
        Tape.clear();
    }
}
