package scn.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
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
        a.stateDict().forEach((name, t) -> assertArrayEquals(t.data(), b.stateDict().get(name).data(), name));
    }

    @Test
    void weightsOfAnotherConfigurationAreRefusedNamingTheTensors(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("m.safetensors");
        ModelFiles.save(file, new SpikingCenterNet(TINY, 1));
        SpikingCenterNet wider = new SpikingCenterNet(new ModelConfig(0.125, 1.5, 5, 2, false), 1);
        var e = assertThrows(IOException.class, () -> ModelFiles.loadInto(file, wider));
        assertTrue(e.getMessage().contains("shape: encoder.stem.conv.weight expected [8, 4, 7, 7] found [4, 4, 7, 7]"), e.getMessage());
        SpikingCenterNet teacher = new SpikingCenterNet(TINY.asTeacher(true), 1);
        e = assertThrows(IOException.class, () -> ModelFiles.loadInto(file, teacher));
        assertTrue(e.getMessage().contains("unexpected: encoder.stem.plif.w"), e.getMessage());
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
}
