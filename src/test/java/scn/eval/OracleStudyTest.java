package scn.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import scn.data.Dataset;
import scn.detect.CenterNetTargets;
import scn.detect.SplitDetector;
import scn.nn.ModelConfig;
import scn.nn.SpikingCenterNet;
import scn.tensor.Arena;
import scn.tensor.Tensor;
import scn.train.TinyData;

class OracleStudyTest {
    private static Tensor random(Random rnd, int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.size(); i++) t.data()[i] = (float) rnd.nextGaussian();
        return t;
    }

    @Test
    void replacesOnlyTheObjectsCentreCellsAndOnlyTheNamedParts() {
        var grid = new CenterNetTargets.Geometry(2, 8, 10, 4, 5);
        // two samples: one object of class 1 in the first (centre (10, 14) px = cell (2, 3), offset (0.5, 0.5)), none
        // in the second
        Tensor boxes = Tensor.wrap(new float[] {4, 6, 12, 16, 1, 0, 0, 0, 0, -1}, 2, 1, 5); // [B, N, 5]
        var targets = CenterNetTargets.forBatch(grid, boxes);
        Random rnd = new Random(3);
        var predicted =
                new SplitDetector.Heads(random(rnd, 2, 2, 8, 10), random(rnd, 2, 2, 8, 10), random(rnd, 2, 2, 8, 10));
        float[] heat0 = predicted.heatmap().data().clone(),
                off0 = predicted.offset().data().clone(),
                size0 = predicted.size().data().clone();
        int cell = 3 * 10 + 2, plane = 80;

        var sized = OracleStudy.substitute(predicted, targets, EnumSet.of(OracleStudy.Part.SIZE));
        for (int i = 0; i < size0.length; i++) {
            float expected =
                    i == cell ? 3f : i == plane + cell ? 4f : size0[i]; // (w, h) / 4 at the centre cell of sample 0
            assertEquals(expected, sized.size().data()[i], 0f, "size at " + i);
        }
        assertEquals(List.of(), diff(off0, sized.offset().data()), "offsets untouched");
        assertEquals(List.of(), diff(heat0, sized.heatmap().data()), "heatmap untouched");

        var all = OracleStudy.substitute(predicted, targets, EnumSet.allOf(OracleStudy.Part.class));
        assertEquals(0.5f, all.offset().data()[cell], 0f);
        assertEquals(0.5f, all.offset().data()[plane + cell], 0f);
        for (int i = 0; i < heat0.length; i++) {
            float expected = i == plane + cell
                    ? OracleStudy.ORACLE_LOGIT
                    : -OracleStudy.ORACLE_LOGIT; // class 1's plane of sample 0
            assertEquals(expected, all.heatmap().data()[i], 0f, "heatmap at " + i);
        }
        assertEquals(List.of(), diff(heat0, predicted.heatmap().data()), "the predictions themselves are not changed");
        assertEquals(List.of(), diff(size0, predicted.size().data()));
    }

    private static List<Integer> diff(float[] a, float[] b) {
        return java.util.stream.IntStream.range(0, a.length)
                .filter(i -> a[i] != b[i])
                .boxed()
                .toList();
    }

    @Test
    void modelAloneIsThePlainEvaluationAndEverythingReplacedIsTheGroundTruthsOwnScore() throws Exception {
        Path root = TinyData.root();
        SpikingCenterNet model = new SpikingCenterNet(new ModelConfig(0.0625, 1.5, 5, 2, false), 7);
        var forward = SplitDetector.inference(model, new Arena());
        try (Dataset val = SplitEvaluation.openSplit(root, "val")) {
            Set<OracleStudy.Part> none = EnumSet.noneOf(OracleStudy.Part.class),
                    all = EnumSet.allOf(OracleStudy.Part.class);
            var split = new SplitEvaluation.Split(val, root.resolve("val"), Protocol.GEN1);
            Map<Set<OracleStudy.Part>, Gen1Evaluation.Result> r =
                    OracleStudy.run(forward, split, 2, List.of(none, all), null);
            Gen1Evaluation.Result plain = SplitEvaluation.run(forward, split, 2, null);
            assertEquals(plain.map(), r.get(none).map(), 0.0);
            assertEquals(plain.ap50(), r.get(none).ap50(), 0.0);
            var gt = SplitEvaluation.readGroundTruth(root.resolve("val"));
            Gen1Evaluation.Result self = SplitEvaluation.evaluate(Protocol.GEN1, gt, gt, null);
            assertTrue(self.map() > 0.5, "the tiny set's ground truth scores itself: " + self.map());
            assertEquals(
                    self.map(), r.get(all).map(), 1e-9, "every output replaced gives the ground truth's own score");
        }
    }
}
