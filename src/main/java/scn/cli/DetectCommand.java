package scn.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;
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
 * {@code engine detect}: runs a trained model and writes its detections as {@code NAME_bbox.npy} files in
 * Prophesee's 40-byte box dtype ({@code t} = the window's end time, {@code class_confidence} = the score,
 * {@code track_id} 0), which Prophesee's own evaluator and {@code engine evaluate} read.
 *
 * <p>Two modes, one of {@code --data} and {@code --events}: over every sample of a split (with
 * {@code --png}, pictures of the events with the detections), or over one recording as a stream
 * ({@link EventsDetection}: windows every {@code --every} ms, any sensor size, latency, following a file
 * being written, a video). Options of one mode given in the other are refused, naming them.
 */
@Command(
        name = "detect",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Write the detections of a trained model as *_bbox.npy files (SPEC section 6, no NMS): "
                    + "over a split of a data set (--data), or over one recording, .raw or .dat, as a stream (--events).",
            "With --events: a window every --every ms, each the 100 ms before its end; a sensor larger than GEN1's "
                    + "is binned by --downscale; the per-window latency (window complete -> boxes) and the real-time "
                    + "factor are reported. --video writes an animated GIF through javax.imageio, with no extra "
                    + "dependency (jcodec, the one pure-Java H.264 encoder on Maven Central, was last released in 2019 "
                    + "and baseline-only)."
        })
final class DetectCommand implements Callable<Integer> {
    static final class Source {
        @Option(names = "--data", required = true, description = "GEN1-layout data folder: detect over a split.")
        Path data;

        @Option(
                names = "--events",
                required = true,
                paramLabel = "REC",
                description = "One recording (.raw EVT 2.0/3.0, or .dat): detect over it as a stream; "
                        + "writes OUT/NAME_bbox.npy.")
        Path events;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(
            names = "--checkpoint",
            required = true,
            description = "Trained weights: a run's model.safetensors or checkpoint.safetensors.")
    Path checkpoint;

    @Option(names = "--out", required = true, description = "Output folder for the *_bbox.npy files (and png/).")
    Path out;

    @Mixin
    DeviceOption device;

    @Option(
            names = "--split",
            defaultValue = "test",
            description = "With --data: train, val or test (default: ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--batch", defaultValue = "8", description = "With --data: batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--png", description = "With --data: also draw detections over the events, as PNGs in OUT/png/.")
    boolean png;

    @Option(
            names = "--png-every",
            defaultValue = "10",
            description = "With --png: one picture every N samples (default: ${DEFAULT-VALUE}).")
    int pngEvery;

    @Option(
            names = "--png-threshold",
            defaultValue = "0.3",
            description = "With --png: draw detections scoring at least this (default: ${DEFAULT-VALUE}).")
    float pngThreshold;

    @Mixin
    EventsDetection.Options stream;

    @Spec
    CommandSpec spec;

    static final List<String> SPLIT_ONLY = List.of("--split", "--batch", "--png", "--png-every", "--png-threshold");

    @Override
    public Integer call() throws IOException {
        ParseResult parsed = spec.commandLine().getParseResult();
        List<String> misplaced = (source.events != null ? SPLIT_ONLY : EventsDetection.Options.NAMES)
                .stream().filter(parsed::hasMatchedOption).toList();
        if (!misplaced.isEmpty()) {
            String verb = misplaced.size() == 1 ? " applies" : " apply";
            System.err.println("detect: " + String.join(", ", misplaced) + verb + " to "
                    + (source.events != null ? "--data" : "--events") + " only");
            return 2;
        }
        for (List<String> need : EventsDetection.Options.NEEDS) {
            if (parsed.hasMatchedOption(need.get(0)) && !parsed.hasMatchedOption(need.get(1))) {
                System.err.println("detect: " + need.get(0) + " applies with " + need.get(1) + " only");
                return 2;
            }
        }
        if (source.events != null) return new EventsDetection(stream, source.events, checkpoint, out, device).run();
        Path data = source.data;
        if (batch < 1 || pngEvery < 1) {
            System.err.println("detect: --batch and --png-every must be >= 1");
            return 2;
        }
        SpikingCenterNet model = Checkpoint.loadModel(checkpoint);
        DeviceOption.Inference forward = device.inferenceOrReport(model, "detect");
        if (forward == null) return 2;
        System.out.println("model: " + model.config());
        try (forward;
                Dataset ds = SplitEvaluation.openSplit(data, split)) {
            Path pngDir = out.resolve("png");
            Files.createDirectories(png ? pngDir : out);
            int[] seen = {0};
            SplitDetector.BatchListener pictures = !png
                    ? null
                    : (b, dets) -> {
                        for (int i = 0; i < b.size(); i++, seen[0]++) {
                            if (seen[0] % pngEvery == 0) drawSample(pngDir, b, i, dets.get(i), ds.height(), ds.width());
                        }
                    };
            Map<String, Boxes> detections;
            try (Progress progress =
                    Progress.of("detect", ds.size()).unit("samples").start()) {
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
    private void drawSample(Path dir, Batch b, int i, List<CenterNetDecoder.Detection> dets, int height, int width)
            throws IOException {
        SpikeTensor input = b.input(); // [T, B, C, PH, PW]
        int steps = input.dim(0),
                batchSize = input.dim(1),
                channels = input.dim(2),
                ph = input.dim(3),
                pw = input.dim(4);
        byte[] crop = new byte[steps * channels * height * width]; // [T, C, H, W]
        for (int t = 0; t < steps; t++) {
            for (int c = 0; c < channels; c++) {
                for (int y = 0; y < height; y++) {
                    System.arraycopy(
                            input.data(),
                            (((t * batchSize + i) * channels + c) * ph + y) * pw,
                            crop,
                            ((t * channels + c) * height + y) * width,
                            width);
                }
            }
        }
        List<float[]> rows = new ArrayList<>();
        for (CenterNetDecoder.Detection d : dets) {
            if (d.score() >= pngThreshold) rows.add(new float[] {d.x(), d.y(), d.w(), d.h(), d.classId(), d.score()});
        }
        WindowImage.write(
                dir.resolve(b.recordings()[i] + "_" + b.timestamps()[i] + ".png"),
                SpikeTensor.wrap(crop, steps, channels, height, width),
                rows.toArray(new float[0][]),
                1,
                -1);
    }
}
