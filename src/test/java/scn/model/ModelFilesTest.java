package scn.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import scn.model.io.SafeTensors;
import scn.nn.ModelConfig;
import scn.nn.SpikingCenterNet;
import scn.tensor.Tensor;

class ModelFilesTest {
    private static final ModelConfig TINY = new ModelConfig(0.0625, 1.5, 5, 2, false);

    @Test
    void roundTripKeepsEveryTensorAndTheConfiguration(@TempDir Path dir) throws IOException {
        SpikingCenterNet a = new SpikingCenterNet(TINY, 1);
        a.stateDict().get("encoder.stem.bn.running_var").fill(3f);
        Path file = dir.resolve("m.safetensors");
        ModelFiles.save(file, a);
        SpikingCenterNet b = ModelFiles.load(file);
        assertEquals(TINY, b.config());
        a.stateDict()
                .forEach((name, t) ->
                        assertArrayEquals(t.data(), b.stateDict().get(name).data(), name));
    }

    @Test
    void weightsOfAnotherConfigurationAreRefusedNamingTheTensors(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("m.safetensors");
        ModelFiles.save(file, new SpikingCenterNet(TINY, 1));
        SpikingCenterNet wider = new SpikingCenterNet(new ModelConfig(0.125, 1.5, 5, 2, false), 1);
        var e = assertThrows(IOException.class, () -> ModelFiles.loadInto(file, wider));
        assertTrue(
                e.getMessage().contains("shape: encoder.stem.conv.weight expected [8, 4, 7, 7] found [4, 4, 7, 7]"),
                e.getMessage());
        SpikingCenterNet teacher = new SpikingCenterNet(TINY.asTeacher(true), 1);
        e = assertThrows(IOException.class, () -> ModelFiles.loadInto(file, teacher));
        // 29 PLIF scalars the teacher lacks: the message lists the first 12 (in the file's order) and counts them all.
        assertTrue(
                e.getMessage()
                        .matches("(?s).*\\(29 problems\\).*unexpected: [a-z0-9.]+\\.plif\\.w \\[\\].*and 17 more.*"),
                e.getMessage());
    }

    @Test
    void pyTorchBatchCountersAreIgnoredAndMissingTensorsReported(@TempDir Path dir) throws IOException {
        SpikingCenterNet a = new SpikingCenterNet(TINY, 1);
        Map<String, Tensor> state = new LinkedHashMap<>(a.stateDict());
        state.put("encoder.stem.bn.num_batches_tracked", Tensor.scalar(7));
        Path file = dir.resolve("torch.safetensors");
        SafeTensors.write(file, state, null);
        ModelFiles.loadInto(file, new SpikingCenterNet(TINY, 2));
        state.remove("heads.size.out.bias");
        SafeTensors.write(file, state, null);
        var e = assertThrows(IOException.class, () -> ModelFiles.loadInto(file, new SpikingCenterNet(TINY, 2)));
        assertTrue(e.getMessage().contains("missing: heads.size.out.bias [2]"), e.getMessage());
    }

    @Test
    void aTruncatedFileIsAClearError(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("m.safetensors");
        ModelFiles.save(file, new SpikingCenterNet(TINY, 1));
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        var e = assertThrows(IOException.class, () -> ModelFiles.load(file));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }

    /** The model's tensors with every {@code *.plif.w} stored as {@code [1]}, each with its own value. */
    private static Map<String, Tensor> scalarsAsOneElement(SpikingCenterNet model) {
        Map<String, Tensor> state = new LinkedHashMap<>(model.stateDict());
        int[] count = {0};
        state.replaceAll((name, t) -> name.endsWith(".plif.w") ? Tensor.wrap(new float[] {0.25f * ++count[0]}, 1) : t);
        assertTrue(count[0] > 10, "plif.w entries: " + count[0]);
        return state;
    }

    @Test
    void scalarsStoredAsOneElementLoad(@TempDir Path dir) throws IOException {
        Map<String, Tensor> stored = scalarsAsOneElement(new SpikingCenterNet(TINY, 1));
        Path file = dir.resolve("numpy.safetensors");
        SafeTensors.write(file, stored, TINY.toMetadata());
        assertArrayEquals(
                new int[] {1}, SafeTensors.read(file).get("encoder.stem.plif.w").shape());
        SpikingCenterNet loaded = ModelFiles.load(file), into = new SpikingCenterNet(TINY, 2);
        ModelFiles.loadInto(file, into);
        for (SpikingCenterNet m : new SpikingCenterNet[] {loaded, into}) {
            m.stateDict().forEach((name, t) -> {
                assertArrayEquals(stored.get(name).data(), t.data(), name);
                if (name.endsWith(".plif.w")) assertArrayEquals(new int[0], t.shape(), name + " stays a scalar");
            });
        }
    }

    @Test
    void anyOtherShapeOfAScalarIsRefusedNamingIt(@TempDir Path dir) throws IOException {
        Map<String, Tensor> stored = scalarsAsOneElement(new SpikingCenterNet(TINY, 1));
        stored.put("encoder.stem.plif.w", Tensor.wrap(new float[] {0.5f, 0.5f}, 2));
        Path file = dir.resolve("two.safetensors");
        SafeTensors.write(file, stored, TINY.toMetadata());
        List<Executable> loads =
                List.of(() -> ModelFiles.load(file), () -> ModelFiles.loadInto(file, new SpikingCenterNet(TINY, 2)));
        for (Executable load : loads) {
            String msg = assertThrows(IOException.class, load).getMessage();
            assertTrue(msg.contains(file.toString()), msg);
            assertTrue(msg.contains("shape: encoder.stem.plif.w expected [] found [2]"), msg);
            assertTrue(msg.contains("1 problems"), "only the [2] entry is a problem: " + msg);
        }
    }

    @Test
    void nonFiniteValuesAreRefusedNamingFileTensorAndIndex(@TempDir Path dir) throws IOException {
        Map<String, Tensor> stored = new LinkedHashMap<>(new SpikingCenterNet(TINY, 1).stateDict());
        Tensor conv = stored.get("encoder.layer1.0.conv1.weight").copy(); // [4, 4, 3, 3]
        conv.data()[40] = Float.NaN; // [1, 0, 1, 1]
        stored.put("encoder.layer1.0.conv1.weight", conv);
        stored.put("heads.size.out.bias", Tensor.wrap(new float[] {0f, Float.POSITIVE_INFINITY}, 2));
        Path file = dir.resolve("nan.safetensors");
        SafeTensors.write(file, stored, TINY.toMetadata());
        SpikingCenterNet into = new SpikingCenterNet(TINY, 2);
        Map<String, float[]> before = new LinkedHashMap<>();
        into.stateDict().forEach((name, t) -> before.put(name, t.data().clone()));
        List<Executable> loads = List.of(() -> ModelFiles.load(file), () -> ModelFiles.loadInto(file, into));
        for (Executable load : loads) {
            String msg = assertThrows(IOException.class, load).getMessage();
            assertTrue(msg.contains(file.toString()), msg);
            assertTrue(
                    msg.contains("encoder.layer1.0.conv1.weight [4, 4, 3, 3]: 1 of 144 values are NaN or infinite;"
                            + " the first, at index [1, 0, 1, 1] (flat 40), is NaN"),
                    msg);
            assertTrue(msg.contains("heads.size.out.bias [2]: 1 of 2 values") && msg.contains("is Infinity"), msg);
        }
        into.stateDict().forEach((name, t) -> assertArrayEquals(before.get(name), t.data(), name + " untouched"));
    }
}
