package scn.cli;

import com.google.gson.GsonBuilder;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Option;
import scn.backend.Parallel;
import scn.data.BoxFileWriter;
import scn.data.Boxes;
import scn.data.Encoder;
import scn.data.EventFiles;
import scn.data.FollowedFile;
import scn.data.GifWriter;
import scn.data.WindowImage;
import scn.data.events.EventStream;
import scn.detect.CenterNetDecoder;
import scn.detect.StreamDetector;
import scn.detect.StreamGeometry;
import scn.nn.ModelConfig;
import scn.nn.SpikingCenterNet;
import scn.tensor.Tensor;
import scn.train.Checkpoint;

/**
 * {@code engine detect --events REC}: one recording ({@code .raw} or {@code .dat}) through
 * {@link StreamDetector}, its boxes written as they come to {@code OUT/NAME_bbox.npy} ({@link BoxFileWriter}),
 * optionally an animated GIF of the windows with their detections ({@link GifWriter}), and at the end
 * the latency percentiles and the real-time factor, on standard output and in a JSON file.
 *
 * <p>{@code NAME} is the recording's file name without its extension and without a GEN1 {@code _td}
 * suffix, so {@code X_td.dat} gives {@code X_bbox.npy}, the name its ground truth has and the one
 * {@code engine evaluate} pairs it with.
 */
final class EventsDetection {
    /** The options of this mode ({@link #NAMES} lists them, so that the split mode can refuse them). */
    static final class Options {
        static final List<String> NAMES = List.of(
                "--every",
                "--downscale",
                "--json",
                "--follow",
                "--idle",
                "--video",
                "--gt",
                "--video-scale",
                "--video-threshold");
        /** Options that mean something only with another: each and the one it needs. */
        static final List<List<String>> NEEDS = List.of(
                List.of("--idle", "--follow"),
                List.of("--gt", "--video"),
                List.of("--video-scale", "--video"),
                List.of("--video-threshold", "--video"));

        @Option(
                names = "--every",
                defaultValue = "50",
                paramLabel = "MS",
                description = "With --events: a window every MS milliseconds, each the 100 ms before its end "
                        + "(default: ${DEFAULT-VALUE}, GEN1's label rate).")
        double everyMs;

        @Option(
                names = "--downscale",
                defaultValue = "auto",
                paramLabel = "N|auto",
                description = "With --events: bin the sensor's pixels N x N; auto (the default) takes the largest N "
                        + "that keeps the binned sensor at least GEN1's 304x240, floor(min(W/304, H/240)), at least 1.")
        String downscale;

        @Option(
                names = "--json",
                description = "With --events: also write the run's figures (latency, real-time factor, ...) "
                        + "to this JSON file.")
        Path json;

        @Option(
                names = "--follow",
                description = "With --events: the file is still being written (a camera "
                        + "recording): keep reading as it grows, until it has not grown for --idle seconds.")
        boolean follow;

        @Option(
                names = "--idle",
                defaultValue = "5",
                paramLabel = "S",
                description = "With --follow: stop once the file has not grown for S seconds "
                        + "(default: ${DEFAULT-VALUE}).")
        double idleSeconds;

        @Option(
                names = "--video",
                paramLabel = "OUT.gif",
                description = "With --events: an animated GIF, one frame per window (shown for --every ms): the "
                        + "window's events as the network sees them, the detections with class name and score.")
        Path video;

        @Option(
                names = "--gt",
                paramLabel = "FILE_bbox.npy",
                description = "With --video: also draw this ground truth (in white): the labels nearest each "
                        + "window's end, within half a period.")
        Path gt;

        @Option(
                names = "--video-scale",
                defaultValue = "2",
                description = "With --video: picture pixels per binned sensor pixel (default: ${DEFAULT-VALUE}).")
        int videoScale;

        @Option(
                names = "--video-threshold",
                defaultValue = "0.3",
                description = "With --video: draw detections scoring at least this (default: ${DEFAULT-VALUE}).")
        float videoThreshold;
    }

    /** Forward passes before the stream starts (see {@link StreamDetector#warmUp}). */
    static final int WARM_UP_PASSES = 3;

    /** How often a followed file's size is read. */
    static final Duration POLL = Duration.ofMillis(20);

    private final Options o;
    private final Path events;
    private final Path checkpoint;
    private final Path out;
    private final DeviceOption device;

    EventsDetection(Options options, Path events, Path checkpoint, Path out, DeviceOption device) {
        this.o = options;
        this.events = events;
        this.checkpoint = checkpoint;
        this.out = out;
        this.device = device;
    }

    /** The recording's name for its box file: the file name without extension and without a {@code _td} suffix. */
    static String recordingName(Path events) {
        String n = events.getFileName().toString();
        int dot = n.lastIndexOf('.');
        if (dot > 0) n = n.substring(0, dot);
        return n.endsWith("_td") && n.length() > 3 ? n.substring(0, n.length() - 3) : n;
    }

    /** The factor {@code --downscale} asks for, or null for auto; a usage error otherwise. */
    static Integer parseDownscale(String text) {
        if (text.equals("auto")) return null;
        int n;
        try {
            n = Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            n = 0;
        }
        if (n < 1) {
            throw new IllegalArgumentException("--downscale must be auto or a whole number >= 1, got '" + text + "'");
        }
        return n;
    }

    int run() throws IOException {
        Integer factor;
        try {
            factor = parseDownscale(o.downscale);
            if (!(o.everyMs * 1000 >= 1)) {
                throw new IllegalArgumentException("--every must be at least 0.001 ms, got " + o.everyMs);
            }
            if (!(o.idleSeconds >= 0)) {
                throw new IllegalArgumentException("--idle must be >= 0 seconds, got " + o.idleSeconds);
            }
            if (o.videoScale < 1) {
                throw new IllegalArgumentException("--video-scale must be >= 1, got " + o.videoScale);
            }
        } catch (IllegalArgumentException e) {
            System.err.println("detect: " + e.getMessage());
            return 2;
        }
        long every = Math.round(o.everyMs * 1000);
        SpikingCenterNet trained = Checkpoint.loadModel(checkpoint);
        if (trained.config().timeSteps() != Encoder.STEPS) {
            System.err.println(
                    "detect: " + checkpoint + " has " + trained.config().timeSteps()
                            + " time steps; windows are encoded into " + Encoder.STEPS + " (SPEC section 4)");
            return 2;
        }
        GroundTruth truth = o.gt == null ? null : GroundTruth.read(o.gt, every);
        Files.createDirectories(out);
        Duration idle = Duration.ofMillis(Math.round(o.idleSeconds * 1000));
        try (EventStream stream =
                o.follow ? FollowedFile.open(events, new FollowedFile.Options(idle, POLL)) : EventFiles.open(events)) {
            StreamGeometry geometry;
            try {
                geometry = factor == null
                        ? StreamGeometry.auto(stream.width(), stream.height())
                        : new StreamGeometry(stream.width(), stream.height(), factor);
            } catch (IllegalArgumentException e) {
                System.err.println("detect: " + events + ": " + e.getMessage());
                return 2;
            }
            SpikingCenterNet model = atSize(trained, geometry);
            DeviceOption.Inference forward = device.inferenceOrReport(model, "detect");
            if (forward == null) return 2;
            System.out.println("model: " + model.config());
            System.out.println("recording: " + events + " (" + stream.format() + "), " + geometry);
            Path boxesFile = out.resolve(recordingName(events) + "_bbox.npy");
            try (forward;
                    BoxFileWriter boxes = BoxFileWriter.create(boxesFile);
                    GifWriter video = o.video == null ? null : GifWriter.create(o.video, Math.round(o.everyMs))) {
                StreamDetector detector = new StreamDetector(forward, new StreamDetector.Options(every, geometry));
                long warmUp = detector.warmUp(WARM_UP_PASSES);
                System.out.printf(
                        Locale.ROOT,
                        "warm-up: %d passes in %.2f s (before the stream, not in the latency)%n",
                        WARM_UP_PASSES,
                        warmUp / 1e9);
                StreamDetector.Summary s = detector.run(stream, w -> {
                    for (CenterNetDecoder.Detection d : w.detections()) {
                        boxes.add(w.end(), d.x(), d.y(), d.w(), d.h(), d.classId(), 0, d.score());
                    }
                    boxes.flush(); // the file on disk stays a valid box file of the windows so far
                    if (video != null) video.add(frame(w, geometry, truth));
                    if (w.end() / every % 20 == 0) {
                        System.err.printf(Locale.ROOT, "\rdetect: %.1f s of recording", w.end() / 1e6);
                    }
                });
                System.err.println();
                for (String warning : stream.warnings()) System.err.println("detect: warning: " + warning);
                report(s, geometry, boxes.count(), boxesFile, video, warmUp);
            }
        }
        return 0;
    }

    /** The trained model at the geometry's padded size (the network is fully convolutional: same weights). */
    private static SpikingCenterNet atSize(SpikingCenterNet trained, StreamGeometry g) {
        ModelConfig c = trained.config();
        if (c.inputHeight() == g.paddedHeight() && c.inputWidth() == g.paddedWidth()) return trained;
        SpikingCenterNet model = new SpikingCenterNet(c.withInput(g.paddedHeight(), g.paddedWidth()), 0);
        Map<String, Tensor> weights = trained.stateDict();
        model.stateDict().forEach((name, t) -> t.copyFrom(weights.get(name)));
        return model;
    }

    /** A video frame: the window as the network saw it, its detections above the threshold, the truth near it. */
    private BufferedImage frame(StreamDetector.Window w, StreamGeometry g, GroundTruth truth) {
        List<float[]> dets = new ArrayList<>();
        for (CenterNetDecoder.Detection d : w.frameDetections()) {
            if (d.score() < o.videoThreshold) continue;
            dets.add(new float[] {d.x(), d.y(), d.w(), d.h(), d.classId(), d.score()});
        }
        float[][] gt = truth == null ? new float[0][] : truth.near(w.end(), g.factor());
        String caption = String.format(Locale.ROOT, "t %.3f s", w.end() / 1e6);
        var overlay = new WindowImage.Overlay(dets.toArray(new float[0][]), gt, caption);
        return WindowImage.frame(w.input(), g.width(), g.height(), o.videoScale, overlay);
    }

    private void report(
            StreamDetector.Summary s,
            StreamGeometry g,
            long boxCount,
            Path boxesFile,
            GifWriter video,
            long warmUpNanos)
            throws IOException {
        double wall = s.wallNanos() / 1e9;
        double reading = Math.max(0, s.wallNanos() - s.windowNanos() - s.listenerNanos()) / 1e9;
        System.out.printf(
                Locale.ROOT,
                "windows: %d, every %s ms, each the 100 ms before its end; %d events read, "
                        + "at most %d held at once (largest window: %d)%n",
                s.windows(),
                trim(o.everyMs),
                s.eventsRead(),
                s.peakEventsHeld(),
                s.maxWindowEvents());
        System.out.printf(Locale.ROOT, "boxes: %d -> %s%n", boxCount, boxesFile);
        if (s.windows() == 0) {
            System.err.println("detect: warning: " + events + " holds no complete window (100 ms of events, then one "
                    + "event at or after its end): no boxes"
                    + (video != null ? ", and no video (" + video.path() + " not written)" : ""));
        } else {
            if (video != null) System.out.printf(Locale.ROOT, "video: %d frames -> %s%n", video.frames(), video.path());
            System.out.printf(
                    Locale.ROOT,
                    "latency (window complete -> boxes: encode + forward + decode): "
                            + "p50 %.1f ms, p99 %.1f ms, max %.1f ms; mean %.1f ms, of which %.1f ms CPU time of this thread"
                            + "%s%n",
                    s.p50Ms(),
                    s.p99Ms(),
                    s.maxMs(),
                    s.meanMs(),
                    s.windowCpuNanos() / 1e6 / s.windows(),
                    workers());
            System.out.printf(
                    Locale.ROOT,
                    "real-time factor: %.2f (%.2f s of recording in %.2f s: windows %.2f s, "
                            + "reading %.2f s, writing %.2f s)%s%n",
                    s.realTimeFactor(),
                    s.recordingSeconds(),
                    wall,
                    s.windowNanos() / 1e9,
                    reading,
                    s.listenerNanos() / 1e9,
                    o.follow ? "; with --follow the writer sets the pace" : "");
        }
        if (o.json == null) return;
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("recording", events.toString());
        j.put("sensor_width", g.sensorWidth());
        j.put("sensor_height", g.sensorHeight());
        j.put("downscale", g.factor());
        j.put("input_width", g.paddedWidth());
        j.put("input_height", g.paddedHeight());
        j.put("device", device.spec());
        j.put("every_ms", o.everyMs);
        j.put("windows", s.windows());
        j.put("events_read", s.eventsRead());
        j.put("peak_events_held", s.peakEventsHeld());
        j.put("max_window_events", s.maxWindowEvents());
        j.put("boxes", boxCount);
        j.put("latency_p50_ms", orNull(s.p50Ms()));
        j.put("latency_p99_ms", orNull(s.p99Ms()));
        j.put("latency_max_ms", orNull(s.maxMs()));
        j.put("latency_mean_ms", orNull(s.meanMs()));
        j.put("window_cpu_ms_mean", orNull(s.windowCpuNanos() / 1e6 / s.windows()));
        j.put("recording_s", s.recordingSeconds());
        j.put("wall_s", wall);
        j.put("windows_s", s.windowNanos() / 1e9);
        j.put("reading_s", reading);
        j.put("writing_s", s.listenerNanos() / 1e9);
        j.put("realtime_factor", s.realTimeFactor());
        j.put("warm_up_s", warmUpNanos / 1e9);
        j.put("threads", Parallel.threads());
        j.put("follow", o.follow);
        if (video != null) j.put("video_frames", video.frames());
        var gson = new GsonBuilder().setPrettyPrinting().serializeNulls().create();
        Files.writeString(o.json, gson.toJson(j) + "\n");
    }

    /** What the CPU time above leaves out: the worker threads' time, when there are any. */
    private static String workers() {
        int n = Parallel.threads() - 1;
        return n == 0 ? "" : n == 1 ? " (and the worker thread's)" : " (and the " + n + " worker threads')";
    }

    /** JSON has no NaN (a recording too short for one window has no latency): null instead. */
    private static Double orNull(double v) {
        return Double.isNaN(v) ? null : v;
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    /** A ground-truth box file by time, to draw the labels nearest a window's end (within half a period). */
    record GroundTruth(TreeMap<Long, List<float[]>> rows, long halfPeriod) {
        static GroundTruth read(Path file, long every) throws IOException {
            Boxes b = Boxes.read(file);
            TreeMap<Long, List<float[]>> rows = new TreeMap<>();
            for (int i = 0; i < b.size(); i++) {
                float[] row = {b.x(i), b.y(i), b.w(i), b.h(i), b.classId(i)};
                rows.computeIfAbsent(b.t(i), k -> new ArrayList<>()).add(row);
            }
            return new GroundTruth(rows, every / 2);
        }

        /** Rows {@code (x, y, w, h, class)} of the label time nearest {@code end}, in the binned frame (÷ factor). */
        float[][] near(long end, int factor) {
            Long below = rows.floorKey(end), above = rows.ceilingKey(end);
            Long best = below == null ? above : above == null ? below : end - below <= above - end ? below : above;
            if (best == null || Math.abs(best - end) > halfPeriod) return new float[0][];
            List<float[]> r = rows.get(best);
            float[][] outRows = new float[r.size()][];
            for (int i = 0; i < r.size(); i++) {
                float[] s = r.get(i);
                outRows[i] = new float[] {s[0] / factor, s[1] / factor, s[2] / factor, s[3] / factor, s[4]};
            }
            return outRows;
        }
    }
}
