package scn.train;

import com.google.gson.Gson;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import scn.autograd.Parameter;
import scn.model.io.SafeTensors;
import scn.nn.ModelConfig;
import scn.nn.SpikingCenterNet;
import scn.tensor.Tensor;

/**
 * A training checkpoint: one safetensors file holding the model (canonical names, so it also loads as
 * plain weights), the AdamW moments ({@code optimizer.m.NAME}, {@code optimizer.v.NAME}) and, as
 * metadata, the model configuration, the training options, the position in the data (epoch, batch
 * within it, step) and a CRC-32 of all tensor bytes. The data order and augmentation are pure functions
 * of (seed, epoch, sample), so the seed and the position are the whole random state.
 *
 * <p>Saving never loses a good checkpoint: the new file is written beside the old under a temporary
 * name and flushed ({@link SafeTensors#write}); only then is the old one renamed to
 * {@code checkpoint.prev.safetensors} and the new one into place. A full disk or a crash leaves the old
 * checkpoint as it was.
 */
public final class Checkpoint {
    public static final String FILE = "checkpoint.safetensors";
    public static final String PREVIOUS = "checkpoint.prev.safetensors";
    static final String FORMAT = "scn-train-checkpoint-1";
    private static final String NEXT = "checkpoint.next.safetensors";
    private static final Gson GSON = new Gson();

    /** Where a run stands: optimizer steps done, the epoch under way, batches of it done, seconds trained. */
    public record Position(long step, int epoch, int batchInEpoch, double seconds) {}

    /** A checkpoint read back: what to rebuild the run from. */
    public record Loaded(
            Path file,
            TrainOptions options,
            ModelConfig config,
            Position position,
            int optimizerSteps,
            Map<String, Tensor> tensors) {
        /** Copies weights, running statistics and moments into a freshly built model and its optimizer. */
        public void restore(SpikingCenterNet model, AdamW optimizer) throws IOException {
            Map<String, int[]> expected = new LinkedHashMap<>();
            model.stateDict().forEach((name, t) -> expected.put(name, t.shape()));
            List<Parameter> params = model.parameters();
            for (Parameter p : params) {
                expected.put("optimizer.m." + p.name(), p.shape());
                expected.put("optimizer.v." + p.name(), p.shape());
            }
            try {
                SafeTensors.checkAgainst(tensors, expected);
            } catch (IllegalArgumentException e) {
                throw new IOException(file + " does not fit the model (" + model.config() + "): " + e.getMessage(), e);
            }
            model.stateDict().forEach((name, t) -> t.copyFrom(tensors.get(name)));
            List<Tensor> moments = optimizer.moments();
            for (int i = 0; i < params.size(); i++) {
                moments.get(2 * i)
                        .copyFrom(tensors.get("optimizer.m." + params.get(i).name()));
                moments.get(2 * i + 1)
                        .copyFrom(tensors.get("optimizer.v." + params.get(i).name()));
            }
            optimizer.restore(optimizerSteps);
        }
    }

    private Checkpoint() {}

    /**
     * Saves into {@code runDir/checkpoint.safetensors}, keeping the one before as {@code checkpoint.prev.safetensors}.
     */
    public static Path save(
            Path runDir, SpikingCenterNet model, AdamW optimizer, TrainOptions options, Position position)
            throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>(model.stateDict());
        List<Parameter> params = model.parameters();
        List<Tensor> moments = optimizer.moments();
        for (int i = 0; i < params.size(); i++) {
            tensors.put("optimizer.m." + params.get(i).name(), moments.get(2 * i));
            tensors.put("optimizer.v." + params.get(i).name(), moments.get(2 * i + 1));
        }
        Map<String, String> meta = new LinkedHashMap<>(model.config().toMetadata());
        meta.put("format", FORMAT);
        meta.put("options", GSON.toJson(options));
        meta.put("step", Long.toString(position.step()));
        meta.put("epoch", Integer.toString(position.epoch()));
        meta.put("batch_in_epoch", Integer.toString(position.batchInEpoch()));
        meta.put("seconds", Double.toString(position.seconds()));
        meta.put("optimizer_steps", Integer.toString(optimizer.steps()));
        meta.put("crc32", Long.toString(crc(tensors)));
        Path current = runDir.resolve(FILE);
        Path next = runDir.resolve(NEXT);
        try {
            SafeTensors.write(next, tensors, meta);
        } catch (IOException e) {
            throw new IOException(
                    "could not write the checkpoint of step " + position.step() + " into " + runDir + " ("
                            + e.getMessage() + ")"
                            + (Files.exists(current) ? "; the previous checkpoint " + current + " is intact" : ""),
                    e);
        }
        if (Files.exists(current))
            Files.move(
                    current,
                    runDir.resolve(PREVIOUS),
                    StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        Files.move(next, current, StandardCopyOption.ATOMIC_MOVE);
        return current;
    }

    /**
     * Reads and checks a checkpoint; a damaged or foreign file, or one holding a NaN or infinite value, is
     * refused with a message naming it and the fallback.
     */
    public static Loaded load(Path file) throws IOException {
        if (!Files.isRegularFile(file))
            throw new IOException("checkpoint " + file + " does not exist" + fallback(file));
        SafeTensors.Contents c;
        try {
            c = SafeTensors.readAll(file);
        } catch (IOException e) {
            throw new IOException(
                    "checkpoint " + file + " is damaged and was not used: " + e.getMessage() + fallback(file), e);
        }
        Map<String, String> meta = c.metadata();
        if (!FORMAT.equals(meta.get("format"))) {
            throw new IOException(file + " is not a training checkpoint (no '" + FORMAT
                    + "' format tag); plain model weights cannot be resumed");
        }
        Loaded loaded;
        try {
            long expected = Long.parseLong(meta.get("crc32"));
            if (crc(c.tensors()) != expected)
                throw new IOException("checkpoint " + file
                        + " is damaged (its CRC-32 does not match its contents) and was not used" + fallback(file));
            TrainOptions options = GSON.fromJson(meta.get("options"), TrainOptions.class);
            Position position = new Position(
                    Long.parseLong(meta.get("step")),
                    Integer.parseInt(meta.get("epoch")),
                    Integer.parseInt(meta.get("batch_in_epoch")),
                    Double.parseDouble(meta.get("seconds")));
            int optimizerSteps = Integer.parseInt(meta.get("optimizer_steps"));
            loaded = new Loaded(file, options, ModelConfig.fromMetadata(meta), position, optimizerSteps, c.tensors());
        } catch (RuntimeException e) {
            throw new IOException(
                    "checkpoint " + file + " has damaged metadata (" + e.getMessage() + ") and was not used"
                            + fallback(file),
                    e);
        }
        requireFinite(file, c.tensors()); // weights and moments alike: either would spread into every step
        return loaded;
    }

    /** Refuses a file with a NaN or infinite value, naming it, the tensor and the first such value. */
    private static void requireFinite(Path file, Map<String, Tensor> tensors) throws IOException {
        try {
            SafeTensors.checkFinite(tensors);
        } catch (IllegalArgumentException e) {
            throw new IOException("checkpoint " + file + " was not used: " + e.getMessage() + fallback(file), e);
        }
    }

    /**
     * The model of a training checkpoint or of a plain weights file ({@code model.safetensors}), built
     * as its metadata describes; a damaged checkpoint, tensors that do not fit and NaN or infinite values
     * are refused, naming the file.
     */
    public static SpikingCenterNet loadModel(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new IOException("checkpoint " + file + " does not exist");
        SafeTensors.Contents c = SafeTensors.readAll(file);
        Map<String, String> meta = c.metadata();
        if (FORMAT.equals(meta.get("format"))
                && !Long.toString(crc(c.tensors())).equals(meta.get("crc32"))) {
            throw new IOException("checkpoint " + file
                    + " is damaged (its CRC-32 does not match its contents) and was not used" + fallback(file));
        }
        ModelConfig config;
        try {
            config = ModelConfig.fromMetadata(meta);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": bad model configuration in the metadata: " + e.getMessage(), e);
        }
        SpikingCenterNet model = new SpikingCenterNet(config, 0);
        Map<String, Tensor> tensors = new LinkedHashMap<>(c.tensors());
        tensors.keySet().removeIf(name -> name.startsWith("optimizer.") || name.endsWith(".num_batches_tracked"));
        Map<String, int[]> expected = new LinkedHashMap<>();
        model.stateDict().forEach((name, t) -> expected.put(name, t.shape()));
        try {
            SafeTensors.checkAgainst(tensors, expected);
        } catch (IllegalArgumentException e) {
            throw new IOException(
                    file + " does not fit the model its metadata describes (" + config + "): " + e.getMessage(), e);
        }
        requireFinite(file, tensors);
        model.stateDict().forEach((name, t) -> t.copyFrom(tensors.get(name)));
        return model;
    }

    private static String fallback(Path file) {
        Path dir = file.toAbsolutePath().getParent();
        Path prev = dir.resolve(PREVIOUS);
        if (file.getFileName().toString().equals(FILE) && Files.isRegularFile(prev))
            return "; the previous checkpoint is " + prev + " (resume from it)";
        return "";
    }

    /** CRC-32 over the little-endian bytes of every tensor, in name order. */
    static long crc(Map<String, Tensor> tensors) {
        List<String> names = new ArrayList<>(tensors.keySet());
        names.sort((a, b) ->
                Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8)));
        CRC32 crc = new CRC32();
        ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        for (String name : names) {
            float[] d = tensors.get(name).data();
            for (int i = 0; i < d.length; ) {
                int n = Math.min(d.length - i, buf.capacity() / 4);
                buf.clear();
                buf.asFloatBuffer().put(d, i, n);
                crc.update(buf.array(), 0, 4 * n);
                i += n;
            }
        }
        return crc.getValue();
    }
}
