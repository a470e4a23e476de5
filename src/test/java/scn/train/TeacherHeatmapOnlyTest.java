package scn.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import org.junit.jupiter.api.Test;
import scn.TestUtil;
import scn.autograd.Tape;
import scn.cli.Main;
import scn.nn.ModelConfig;
import scn.nn.SpikingCenterNet;
import scn.tensor.SpikeTensor;

/**
 * A teacher distilled on its heatmap alone runs its heatmap head alone: the heatmap is the full forward pass's, bit
 * for bit, and the two regression heads are not computed. {@code bench --distill} times such a step.
 */
class TeacherHeatmapOnlyTest {
    @Test
    void theHeatmapOnlyPassGivesTheFullPassHeatmap() {
        SpikingCenterNet teacher = new SpikingCenterNet(new ModelConfig(0.0625, 1.5, 5, 2, true), 3);
        SpikeTensor x = SpikeTensor.fromFloat(TestUtil.randomSpikes(5, 0.05, 5, 2, 4, 256, 320));
        try (var noGrad = Tape.noGrad()) {
            SpikingCenterNet.Outputs full = teacher.forward(teacher.input(x), false);
            SpikingCenterNet.Outputs heatmap = teacher.forward(teacher.input(x), false, false);
            assertNotNull(full.offset());
            assertNull(heatmap.offset());
            assertNull(heatmap.size());
            assertArrayEquals(
                    full.heatmap().value().data(), heatmap.heatmap().value().data(), "heatmap of the two passes");
        }
    }

    @Test
    void benchTimesADistilledStep() {
        PrintStream out = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true));
        int code;
        try {
            code = Main.run("bench", "--width", "0.0625", "--warmup", "0", "--steps", "1", "--distill");
        } finally {
            System.setOut(out);
        }
        String text = buf.toString();
        assertTrue(code == 0 && text.contains("distilling a ReLU teacher's heatmap"), code + ": " + text);
        assertTrue(Main.run("bench", "--teacher", "--distill") != 0, "--distill with --teacher is refused");
    }
}
