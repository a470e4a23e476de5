package scn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scn.cli.EvaluationCommandsTest.Run;
import scn.data.NpyWriter;
import scn.model.ModelFiles;
import scn.nn.ModelConfig;
import scn.nn.SpikingCenterNet;
import scn.train.AdamW;
import scn.train.Checkpoint;
import scn.train.TrainOptions;

/**
 * Every option that reads weights ({@code --weights}, {@code --checkpoint}, {@code --distill-from},
 * {@code --resume}) refuses a file with a NaN or infinite value before any work: exit code 1 and a
 * message naming the file, the tensor and the first bad value, no stack trace.
 */
class NonFiniteWeightsTest {
    private static final ModelConfig TINY = new ModelConfig(0.0625, 1.5, 5, 2, false);
    private static final String BAD = "encoder.layer2.0.downsample.conv.weight";

    @TempDir
    Path tmp;

    private static SpikingCenterNet withNaN(ModelConfig config) {
        SpikingCenterNet model = new SpikingCenterNet(config, 1);
        model.stateDict().get(BAD).data()[7] = Float.NaN;
        return model;
    }

    private static void assertRefused(Run r, Path file) {
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains(file.toString()), r.err());
        assertTrue(
                r.err()
                        .contains(BAD + " [8, 4, 1, 1]: 1 of 32 values are NaN or infinite; the first, at index"
                                + " [1, 3, 0, 0] (flat 7), is NaN"),
                r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
    }

    @Test
    void everyOptionThatReadsWeightsRefusesNaN() throws IOException {
        Path weights = tmp.resolve("model.safetensors");
        ModelFiles.save(weights, withNaN(TINY));
        String w = weights.toString(), data = tmp.toString();
        String[][] commands = {
            {"eval", "--checkpoint", w, "--data", data},
            {
                "detect",
                "--checkpoint",
                w,
                "--data",
                data,
                "--out",
                tmp.resolve("detections").toString()
            },
            {"energy", "--checkpoint", w, "--data", data}
        };
        for (String[] args : commands) assertRefused(EvaluationCommandsTest.run(args), weights);

        Path x = tmp.resolve("x.npy"), b = tmp.resolve("b.npy");
        NpyWriter.writeUint8(x, new byte[5 * 4 * 240 * 304], 5, 1, 4, 240, 304);
        NpyWriter.writeFloat32(b, new float[] {20, 30, 60, 40, 0}, 1, 1, 5);
        Path step = tmp.resolve("step.safetensors");
        assertRefused(
                EvaluationCommandsTest.run(
                        "dump-step",
                        "--weights",
                        weights.toString(),
                        "--input",
                        x.toString(),
                        "--boxes",
                        b.toString(),
                        "--out",
                        step.toString(),
                        "--width",
                        "0.0625"),
                weights);
        assertFalse(Files.exists(step), "no step was dumped");

        Path teacher = tmp.resolve("teacher.safetensors"), student = tmp.resolve("student");
        ModelFiles.save(teacher, withNaN(TINY.asTeacher(true)));
        assertRefused(
                EvaluationCommandsTest.run(
                        "train",
                        "--distill-from",
                        teacher.toString(),
                        "--data",
                        data,
                        "--run-dir",
                        student.toString(),
                        "--width",
                        "0.0625"),
                teacher);
        assertFalse(Files.exists(student), "the run never started");

        Path run = tmp.resolve("run");
        Files.createDirectories(run);
        SpikingCenterNet model = withNaN(TINY);
        TrainOptions o = TrainOptions.preset("quick", false).withPaths(tmp.toString(), run.toString(), null);
        AdamW optimizer = new AdamW(model.parameters(), model::decays, 1e-4f);
        Path checkpoint = Checkpoint.save(run, model, optimizer, o, new Checkpoint.Position(1, 0, 1, 1.0));
        assertRefused(EvaluationCommandsTest.run("train", "--resume", checkpoint.toString()), checkpoint);
    }
}
