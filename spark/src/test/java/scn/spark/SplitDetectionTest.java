package scn.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scn.data.Boxes;
import scn.data.Dataset;
import scn.detect.SplitDetector;
import scn.eval.Gen1Evaluation;
import scn.eval.Protocol;
import scn.eval.SplitEvaluation;
import scn.model.ModelFiles;
import scn.nn.ModelConfig;
import scn.nn.SpikingCenterNet;
import scn.tensor.Arena;

/**
 * Detection over a split on Spark, one task per recording, gives the local command's boxes bit for bit, and its
 * evaluation the local one's scores.
 */
class SplitDetectionTest {
    @TempDir
    static Path tmp;

    /** An untrained network: every sample still gives its 100 best heatmap peaks, so there are boxes to compare. */
    private static Path weights() throws IOException {
        Path file = tmp.resolve("model.safetensors");
        if (!file.toFile().exists())
            ModelFiles.save(file, new SpikingCenterNet(new ModelConfig(0.0625, 1.5, 5, 2, false), 5));
        return file;
    }

    @Test
    void detectionsPerRecordingAreTheLocalCommands() throws IOException {
        Path data = LocalSpark.data();
        SpikingCenterNet model = scn.train.Checkpoint.loadModel(weights());
        // batches of 4: the local command's third batch holds the last three samples of one recording and the first
        // of the next; the tasks' batches hold one recording each
        int batch = 4;
        Map<String, Boxes> local;
        try (Dataset ds = SplitEvaluation.openSplit(data, "train")) {
            local = SplitDetector.run(SplitDetector.inference(model, new Arena()), ds, batch, null, null);
        }
        Map<String, Boxes> spark = SplitDetection.run(LocalSpark.context(), weights(), data, "train", batch, null);
        assertEquals(2, local.size(), "two recordings, two tasks");
        assertEquals(local.keySet(), spark.keySet());
        for (String name : local.keySet()) {
            Boxes a = local.get(name), b = spark.get(name);
            assertTrue(a.size() > 100, name + " has boxes to compare: " + a.size());
            assertArrayEquals(a.timestamps(), b.timestamps(), name);
            for (int i = 0; i < a.size(); i++) {
                String at = name + " box " + i;
                assertEquals(a.x(i), b.x(i), at);
                assertEquals(a.y(i), b.y(i), at);
                assertEquals(a.w(i), b.w(i), at);
                assertEquals(a.h(i), b.h(i), at);
                assertEquals(a.classId(i), b.classId(i), at);
                assertEquals(a.confidence(i), b.confidence(i), at);
            }
        }
    }

    @Test
    void evaluationScoresAsTheLocalCommand() throws IOException {
        Path data = LocalSpark.data();
        SpikingCenterNet model = scn.train.Checkpoint.loadModel(weights());
        Protocol loose = Protocol.GEN1.with(0L, 0.0, 0.0, null); // every label counts on 1.2 s recordings
        Gen1Evaluation.Result local;
        try (Dataset ds = SplitEvaluation.openSplit(data, "val")) {
            local = SplitEvaluation.run(
                    SplitDetector.inference(model, new Arena()),
                    new SplitEvaluation.Split(ds, data.resolve("val"), loose),
                    4,
                    null);
        }
        Gen1Evaluation.Result spark =
                SparkEvalCommand.evaluate(LocalSpark.context(), weights(), data, "val", 4, null, loose);
        assertTrue(local.images() > 0);
        assertEquals(local.images(), spark.images());
        assertEquals(local.toMap(), spark.toMap());
    }
}
