package scn.detect;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntConsumer;
import scn.autograd.Tape;
import scn.backend.DeviceMemoryException;
import scn.data.Batch;
import scn.data.Boxes;
import scn.data.DataLoader;
import scn.data.Dataset;
import scn.nn.SpikingCenterNet;
import scn.tensor.Arena;
import scn.tensor.SpikeTensor;
import scn.tensor.Tensor;

/**
 * Runs a model in evaluation mode over every sample of a split and decodes its detections (SPEC
 * section 6), giving per recording one box list whose rows carry the sample's label timestamp as
 * {@code t}: what a Prophesee box file of detections holds. The forward pass is given ({@link Forward}),
 * so the same decoding serves the CPU network ({@link #onCpu}) and a device's.
 */
public final class SplitDetector {
    /** Called once per batch with the batch and its detections (for pictures); may be null. */
    public interface BatchListener {
        void accept(Batch batch, List<List<CenterNetDecoder.Detection>> detections) throws IOException;
    }

    /** The three head outputs of an evaluation-mode pass, each {@code [B, k, H/4, W/4]} (k = classes, 2, 2). */
    public record Heads(Tensor heatmap, Tensor offset, Tensor size) {}

    /**
     * An evaluation-mode forward pass of input spikes {@code [T, B, 4, H, W]}; its outputs are valid until the next
     * call.
     */
    @FunctionalInterface
    public interface Forward {
        Heads apply(SpikeTensor input);
    }

    private SplitDetector() {}

    /**
     * {@code model}'s forward without a tape, where the model lives (the host, or the device it was placed on, whose
     * outputs are read back); {@code arena} (and a device's own) recycles the activations between calls.
     */
    public static Forward inference(SpikingCenterNet model, Arena arena) {
        return input -> {
            arena.reset();
            if (model.device() != null) model.device().device().arena().reset();
            try (var noGrad = Tape.noGrad();
                    var scope = arena.activate()) {
                SpikingCenterNet.Outputs o = model.forward(model.input(input), false);
                return new Heads(
                        o.heatmap().value(), o.offset().value(), o.size().value());
            } catch (DeviceMemoryException e) {
                if (model.device() == null) throw e;
                throw model.device().tooLarge("an inference pass", input.shapeRef()[1], e);
            }
        };
    }

    /**
     * Detections of {@code dataset}, per recording in name order; recordings without a usable sample are
     * absent. {@code progress} hears the number of samples done after each batch.
     */
    public static Map<String, Boxes> run(
            Forward forward, Dataset dataset, int batchSize, IntConsumer progress, BatchListener listener)
            throws IOException {
        CenterNetDecoder.Config config = decoderConfig(dataset);
        Map<String, Boxes> out = new TreeMap<>();
        int done = 0;
        try (DataLoader loader = new DataLoader(dataset, DataLoader.Options.of(batchSize, 0, false, false))) {
            for (Batch batch : loader.epoch(0)) {
                Heads o = forward.apply(batch.input());
                List<List<CenterNetDecoder.Detection>> dets =
                        CenterNetDecoder.decode(config, o.heatmap(), o.offset(), o.size());
                collect(out, batch, dets);
                if (listener != null) listener.accept(batch, dets);
                done += batch.size();
                if (progress != null) progress.accept(done);
            }
        }
        return out;
    }

    /** GEN1's decoding (K = 100, stride 4) clipped to {@code dataset}'s frame. */
    public static CenterNetDecoder.Config decoderConfig(Dataset dataset) {
        return new CenterNetDecoder.Config(
                CenterNetDecoder.GEN1.maxDetections(),
                CenterNetDecoder.GEN1.stride(),
                dataset.width(),
                dataset.height());
    }

    /** Adds a batch's detections to {@code out}, per recording, each at its sample's label timestamp. */
    public static void collect(Map<String, Boxes> out, Batch batch, List<List<CenterNetDecoder.Detection>> detections) {
        for (int b = 0; b < batch.size(); b++) {
            Boxes boxes = out.computeIfAbsent(batch.recordings()[b], k -> new Boxes());
            for (CenterNetDecoder.Detection d : detections.get(b))
                boxes.add(batch.timestamps()[b], d.x(), d.y(), d.w(), d.h(), d.classId(), 0, d.score());
        }
    }
}
