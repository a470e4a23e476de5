package scn.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scn.model.ModelFiles;
import scn.model.io.SafeTensors;
import scn.nn.ModelConfig;
import scn.nn.SpikingCenterNet;
import scn.tensor.Tensor;

/**
 * Checkpoints as other tools may write them, read by {@code train --resume} ({@link Trainer#resume}) and
 * by {@code --checkpoint} and {@code --distill-from} ({@link Checkpoint#loadModel}): a scalar stored as
 * {@code [1]} loads, any other shape of it is refused naming the tensor, both shapes and the file; a NaN
 * or infinite value is refused naming the file, the tensor and the first such value, before any step.
 */
class CheckpointLoadingTest {
    private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

    @TempDir
    Path tmp;

    /** A checkpoint of a fresh network of the quick preset; {@code data} is never read, as no step runs. */
    private Path checkpoint() throws IOException {
        Path run = tmp.resolve("run");
        TrainOptions o = TrainOptions.preset("quick", false).withPaths(tmp.toString(), run.toString(), null);
        SpikingCenterNet model = new SpikingCenterNet(new ModelConfig(o.width(), o.expansion(), 5, 2, false), 3);
        Files.createDirectories(run);
        return Checkpoint.save(
                run,
                model,
                new AdamW(model.parameters(), model::decays, o.weightDecay()),
                o,
                new Checkpoint.Position(3, 0, 3, 1.0));
    }

    /** Rewrites {@code file}'s tensors with {@code edit}, keeping its metadata and a matching CRC-32. */
    private static void rewrite(Path file, Consumer<Map<String, Tensor>> edit) throws IOException {
        SafeTensors.Contents c = SafeTensors.readAll(file);
        Map<String, Tensor> tensors = new LinkedHashMap<>(c.tensors());
        edit.accept(tensors);
        Map<String, String> meta = new LinkedHashMap<>(c.metadata());
        meta.put("crc32", Long.toString(Checkpoint.crc(tensors)));
        SafeTensors.write(file, tensors, meta);
    }

    /** Every {@code *.plif.w}, the model's and its AdamW moments', stored as {@code [1]} with its own value. */
    private static void scalarsAsOneElement(Map<String, Tensor> tensors) {
        int[] count = {0};
        tensors.replaceAll((name, t) -> {
            if (!name.endsWith(".plif.w")) return t;
            return Tensor.wrap(new float[] {0.125f * ++count[0]}, 1);
        });
        assertTrue(count[0] > 30, "plif.w entries and moments: " + count[0]);
    }

    @Test
    void scalarsStoredAsOneElementResumeAndLoad() throws IOException {
        Path file = checkpoint();
        rewrite(file, CheckpointLoadingTest::scalarsAsOneElement);
        Map<String, Tensor> stored = SafeTensors.read(file);
        SpikingCenterNet resumed = Trainer.resume(file, null, QUIET).model(), loaded = Checkpoint.loadModel(file);
        for (SpikingCenterNet m : new SpikingCenterNet[] {resumed, loaded}) {
            m.stateDict().forEach((name, t) -> {
                assertArrayEquals(stored.get(name).data(), t.data(), name);
                if (name.endsWith(".plif.w")) assertArrayEquals(new int[0], t.shape(), name + " stays a scalar");
            });
        }
    }

    @Test
    void anyOtherShapeOfAScalarIsRefusedNamingIt() throws IOException {
        Path file = checkpoint();
        rewrite(file, tensors -> {
            scalarsAsOneElement(tensors);
            tensors.put("encoder.stem.plif.w", Tensor.wrap(new float[] {0.5f, 0.5f}, 2));
        });
        for (IOException e : new IOException[] {
            assertThrows(IOException.class, () -> Trainer.resume(file, null, QUIET)),
            assertThrows(IOException.class, () -> Checkpoint.loadModel(file))
        }) {
            assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
            assertTrue(e.getMessage().contains("shape: encoder.stem.plif.w expected [] found [2]"), e.getMessage());
            assertTrue(e.getMessage().contains("(1 problems)"), "only the [2] entry is a problem: " + e.getMessage());
        }
    }

    @Test
    void nonFiniteWeightsOrMomentsAreRefusedBeforeAnyStep() throws IOException {
        Path file = checkpoint();
        rewrite(file, tensors -> {
            Tensor w = tensors.get("encoder.stem.conv.weight").copy();
            w.data()[5] = Float.NaN; // [0, 0, 0, 5] of [c0, 4, 7, 7]
            tensors.put("encoder.stem.conv.weight", w);
        });
        for (IOException e : new IOException[] {
            assertThrows(IOException.class, () -> Trainer.resume(file, null, QUIET)),
            assertThrows(IOException.class, () -> Checkpoint.loadModel(file))
        }) {
            assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
            assertTrue(
                    e.getMessage()
                            .contains("encoder.stem.conv.weight [16, 4, 7, 7]: 1 of 3136 values are NaN or"
                                    + " infinite; the first, at index [0, 0, 0, 5] (flat 5), is NaN"),
                    e.getMessage());
        }

        Path moments = checkpoint();
        Tensor infinite = Tensor.full(Float.POSITIVE_INFINITY, 2);
        rewrite(moments, tensors -> tensors.put("optimizer.v.heads.heatmap.out.bias", infinite));
        IOException e = assertThrows(IOException.class, () -> Trainer.resume(moments, null, QUIET));
        assertTrue(e.getMessage().contains("optimizer.v.heads.heatmap.out.bias [2]: 2 of 2 values"), e.getMessage());
        Checkpoint.loadModel(moments); // the moments are not part of the model
    }

    @Test
    void aNonFiniteTeacherIsRefusedBeforeTheRunStarts() throws IOException {
        TrainOptions o = TrainOptions.preset("quick", false);
        SpikingCenterNet teacher = new SpikingCenterNet(new ModelConfig(o.width(), o.expansion(), 5, 2, true), 1);
        teacher.stateDict().get("heads.offset.hidden.bn.running_var").data()[3] = Float.NEGATIVE_INFINITY;
        Path file = tmp.resolve("teacher.safetensors");
        ModelFiles.save(file, teacher);
        Path run = tmp.resolve("student");
        IOException e = assertThrows(
                IOException.class,
                () -> Trainer.start(o.withPaths(tmp.toString(), run.toString(), file.toString()), QUIET));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("heads.offset.hidden.bn.running_var"), e.getMessage());
        assertTrue(e.getMessage().contains("is -Infinity"), e.getMessage());
        assertFalse(Files.exists(run), "no run directory: the run never started");
    }

    /**
     * SPEC 3's teacher is the student's network with ReLU: one of another width, class count or input size is refused
     * before the run starts, naming both configurations. Until this check, only classes and time steps were compared,
     * so a teacher of another width trained the student against the wrong network.
     */
    @Test
    void aTeacherOfAnotherShapeIsRefusedBeforeTheRunStarts() throws IOException {
        TrainOptions o =
                TrainOptions.preset("quick", false).toBuilder().width(0.0625).build();
        ModelConfig student = new ModelConfig(o.width(), o.expansion(), 5, 2, false);
        List<ModelConfig> teachers = List.of(
                new ModelConfig(0.125, o.expansion(), 5, 2, true),
                new ModelConfig(o.width(), o.expansion(), 5, 3, true),
                student.asTeacher(true).withInput(128, 160));
        for (ModelConfig teacher : teachers) {
            Path file = tmp.resolve("teacher.safetensors");
            ModelFiles.save(file, new SpikingCenterNet(teacher, 1));
            Path run = tmp.resolve("student");
            IOException e = assertThrows(
                    IOException.class,
                    () -> Trainer.start(o.withPaths(tmp.toString(), run.toString(), file.toString()), QUIET));
            assertTrue(
                    e.getMessage().contains("(" + teacher + ")")
                            && e.getMessage().contains("(" + student + ")"),
                    e.getMessage());
            assertFalse(Files.exists(run), "no run directory: the run never started");
        }
    }
}
