package scn.model;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import scn.model.io.SafeTensors;
import scn.nn.ModelConfig;
import scn.nn.SpikingCenterNet;
import scn.tensor.Tensor;

/**
 * Model weights as safetensors files under the canonical names of SPEC section 3, with the model
 * configuration as metadata. Loading checks every name and shape and reports all missing, unexpected
 * and mis-shaped tensors at once; PyTorch's {@code num_batches_tracked} counters are accepted and ignored,
 * and a scalar such as {@code plif.w} may be stored as {@code [1]} ({@link SafeTensors#checkAgainst}), so a
 * PyTorch state dict saved under the same names loads as it is. A NaN or infinite value is refused, naming
 * the tensor and where in it, before the model sees any of the file.
 */
public final class ModelFiles {
    private ModelFiles() {}

    /** Writes the model's parameters and running statistics, atomically. */
    public static void save(Path file, SpikingCenterNet model) throws IOException {
        SafeTensors.write(file, model.stateDict(), model.config().toMetadata());
    }

    /** Builds the model the file's metadata describes (defaults where it says nothing) and loads it. */
    public static SpikingCenterNet load(Path file) throws IOException {
        SafeTensors.Contents contents = SafeTensors.readAll(file);
        ModelConfig config;
        try {
            config = ModelConfig.fromMetadata(contents.metadata());
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": bad model configuration in the metadata: " + e.getMessage(), e);
        }
        SpikingCenterNet model = new SpikingCenterNet(config, 0);
        copyInto(file, contents.tensors(), model);
        return model;
    }

    /**
     * Loads weights into an existing model of a given configuration; any disagreement is an error naming the tensors.
     */
    public static void loadInto(Path file, SpikingCenterNet model) throws IOException {
        copyInto(file, SafeTensors.read(file), model);
    }

    private static void copyInto(Path file, Map<String, Tensor> found, SpikingCenterNet model) throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>(found);
        tensors.keySet().removeIf(name -> name.endsWith(".num_batches_tracked"));
        Map<String, Tensor> state = model.stateDict();
        Map<String, int[]> expected = new LinkedHashMap<>();
        state.forEach((name, t) -> expected.put(name, t.shape()));
        try {
            SafeTensors.checkAgainst(tensors, expected);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + " does not fit the model (" + model.config() + "): " + e.getMessage(), e);
        }
        try {
            SafeTensors.checkFinite(tensors);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + " was not loaded: " + e.getMessage(), e);
        }
        state.forEach((name, t) -> t.copyFrom(tensors.get(name)));
    }
}
