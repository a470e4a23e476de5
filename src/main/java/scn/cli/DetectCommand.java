package scn.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import scn.data.Batch;
import scn.data.Boxes;
import scn.data.Dataset;
import scn.data.WindowImage;
import scn.detect.CenterNetDecoder;
import scn.detect.SplitDetector;
import scn.eval.BoxFiles;
import scn.eval.SplitEvaluation;
import scn.nn.SpikingCenterNet;
import scn.tensor.SpikeTensor;
import scn.train.Checkpoint;
import scn.train.Progress;

/**
 * {@code engine detect}: runs a trained model over a split and writes, per recording, a
 * {@code NAME_bbox.npy} of its detections in Prophesee's 40-byte box dtype ({@code t} = the label
 * timestamp, {@code class_confidence} = the score, {@code track_id} 0), which Prophesee's own evaluator
 * and {@code engine evaluate} read. With {@code --png}, pictures of the events with the detections.
 */
@Command(name = "detect", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Write the detections of a trained model on a split as *_bbox.npy files (SPEC section 6, no NMS).")
final class DetectCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", required = true, description = "Trained weights: a run's model.safetensors or checkpoint.safetensors.")
    Path checkpoint;

    @Option(names = "--data", required = true, description = "GEN1-layout data folder.")
    Path data;

    @Option(names = "--split", defaultValue = "test", description = "train, val or test (default: ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--out", required = true, description = "Output folder for the *_bbox.npy files (and png/).")
    Path out;

    @Option(names = "--batch", defaultValue = "8", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Mixin
    DeviceOption device;

    @Option(names = "--png", description = "Also draw detections over the events, as PNGs in OUT/png/.")
    boolean png;

    @Option(names = "--png-every", defaultValue = "10", description = "With --png: one picture every N samples (default: ${DEFAULT-VALUE}).")
    int pngEvery;

    @Option(names = "--png-threshold", defaultValue = "0.3", description = "With --png: draw detections scoring at least this (default: ${DEFAULT-VALUE}).")
    float pngThreshold;

    @Override
    public Integer call() throws IOException {
        if (batch < 1 || pngEvery < 1) {
            System.err.println("detect: --batch and --png-every must be >= 1");
            return 2;
        }
        SpikingCenterNet model = Checkpoint.loadModel(checkpoint);
        DeviceOption.Inference forward = device.inferenceOrReport(model, "detect");
        if (forward == null) return 2;
        System.out.println("model: " + model.config());
        try (forward; Dataset ds = SplitEvaluation.openSplit(data, split)) {
            Path pngDir = out.resolve("png");
            Files.createDirectories(png ? pngDir : out);
            int[] seen = {0};
            SplitDetector.BatchListener pictures = !png ? null : (b, dets) -> {
                for (int i = 0; i < b.size(); i++, seen[0]++) {
                    if (seen[0] % pngEvery == 0) drawSample(pngDir, b, i, dets.get(i), ds.height(), ds.width());
                }
            };
            Map<String, Boxes> detections;
            try (Progress progress = Progress.of("detect", ds.size()).unit("samples").start()) {
                detections = SplitDetector.run(forward, ds, batch, progress::update, pictures);
            }
            int files = 0;
            long boxes = 0;
            for (var e : detections.entrySet()) {
                e.getValue().write(out.resolve(e.getKey() + BoxFiles.SUFFIX), Boxes.Dtype.PROPHESEE, 1);
                files++;
                boxes += e.getValue().size();
            }
            System.out.printf("wrote %d detections in %d files to %s%n", boxes, files, out);
        }
        return 0;
    }

    /** One sample's events (cropped back to the sensor) with its detections above the threshold. */
    private void drawSample(Path dir, Batch b, int i, List<CenterNetDecoder.Detection> dets, int height, int width) throws IOException {
        SpikeTensor input = b.input(); // [T, B, C, PH, PW]
        int steps = input.dim(0), batchSize = input.dim(1), channels = input.dim(2), ph = input.dim(3), pw = input.dim(4);
        byte[] crop = new byte[steps * channels * height * width]; // [T, C, H, W]
        for (int t = 0; t < steps; t++) {
            for (int c = 0; c < channels; c++) {
                for (int y = 0; y < height; y++) {
                    System.arraycopy(input.data(), (((t * batchSize + i) * channels + c) * ph + y) * pw, crop, ((t * channels + c) * height + y) * width, width);
                }
            }
        }
        List<float[]> rows = new ArrayList<>();
        for (CenterNetDecoder.Detection d : dets) {
            if (d.score() >= pngThreshold) rows.add(new float[] {d.x(), d.y(), d.w(), d.h(), d.classId()});
        }
        WindowImage.write(dir.resolve(b.recordings()[i] + "_" + b.timestamps()[i] + ".png"), SpikeTensor.wrap(crop, steps, channels, height, width),
                rows.toArray(new float[0][]), 1, -1);
    }
}
