package scn.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scn.TestUtil;
import scn.cli.EvaluationCommandsTest.Run;
import scn.data.Boxes;
import scn.data.GrowingFile;
import scn.detect.MovingRectangle;
import scn.model.ModelFiles;
import scn.nn.ModelConfig;
import scn.nn.SpikingCenterNet;

/**
 * {@code detect --events}: one generated recording of a 608x480 sensor (2x GEN1) through a tiny model,
 * as a file and as a file still being written; its box file, summary, JSON and video; and bad input.
 */
class DetectEventsCommandTest {
    @TempDir
    static Path tmp;

    static Path weights;
    static Path recording;
    static final int WINDOWS = 18; // first event 0.5 ms, windows end at 100.5, 150.5, ..., 950.5 ms

    /**
     * A tiny fresh model whose heatmap bias is so high that every cell scores about 1, so every window
     * gives its 100 boxes, spread over the grid: enough to see where boxes land, without training.
     */
    @BeforeAll
    static void files() throws IOException {
        SpikingCenterNet model = new SpikingCenterNet(new ModelConfig(0.0625, 1.5, 5, 2, false), 4);
        Arrays.fill(model.stateDict().get("heads.heatmap.out.bias").data(), 8f);
        weights = tmp.resolve("model.safetensors");
        ModelFiles.save(weights, model);
        recording = MovingRectangle.on(608, 480).writeDat(tmp.resolve("rect_td.dat"), 1_000_000);
    }

    /** {@code detect --events EVENTS --checkpoint WEIGHTS --out OUT} and more arguments. */
    private static Run detect(Path events, Path out, String... more) {
        List<String> args = new ArrayList<>(List.of(
                "detect", "--events", events.toString(), "--checkpoint", weights.toString(), "--out", out.toString()));
        args.addAll(List.of(more));
        return EvaluationCommandsTest.run(args.toArray(new String[0]));
    }

    @Test
    void detectsARecordingAsAStreamInSensorPixels() throws IOException {
        Path out = tmp.resolve("dets");
        Path json = tmp.resolve("summary.json");
        Path gif = tmp.resolve("rect.gif");
        Path gt = tmp.resolve("gt_bbox.npy");
        Boxes truth = new Boxes();
        truth.add(150_500, 100, 120, 120, 90, 0, 1, 1f);
        truth.add(900_000, 300, 160, 120, 90, 1, 1, 1f);
        truth.write(gt);
        Run r = detect(recording, out, "--json", json.toString(), "--video", gif.toString(), "--gt", gt.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("608x480 sensor / 2 = 304x240, network input 320x256"), r.out());
        assertTrue(
                r.out()
                        .matches("(?s).*latency \\(window complete -> boxes: encode \\+ forward \\+ decode\\): "
                                + "p50 [0-9.]+ ms, p99 [0-9.]+ ms.*"),
                r.out());
        assertTrue(r.out().contains("real-time factor: "), r.out());

        Boxes dets = Boxes.read(out.resolve("rect_bbox.npy")); // NAME_td.dat: NAME_bbox.npy, as its labels
        assertEquals(WINDOWS * 100, dets.size(), "K = 100 boxes a window");
        Set<Long> ends = new TreeSet<>();
        float right = 0, bottom = 0;
        for (int i = 0; i < dets.size(); i++) {
            ends.add(dets.t(i));
            assertTrue(
                    dets.x(i) >= 0 && dets.y(i) >= 0 && dets.x(i) + dets.w(i) <= 608 && dets.y(i) + dets.h(i) <= 480,
                    "inside the 608x480 sensor: " + dets.x(i) + ", " + dets.y(i) + ", " + dets.w(i) + ", " + dets.h(i));
            right = Math.max(right, dets.x(i) + dets.w(i));
            bottom = Math.max(bottom, dets.y(i) + dets.h(i));
        }
        Set<Long> expected = new TreeSet<>();
        for (int k = 0; k < WINDOWS; k++) expected.add(100_500 + 50_000L * k);
        assertEquals(expected, ends, "t = each window's end");
        assertTrue(right > 304 * 1.5, "boxes reach past GEN1's frame into the sensor's right half: " + right);

        JsonObject j = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
        assertEquals(WINDOWS, j.get("windows").getAsInt());
        assertEquals(2, j.get("downscale").getAsInt());
        assertEquals(320, j.get("input_width").getAsInt());
        assertEquals(256, j.get("input_height").getAsInt());
        assertEquals(WINDOWS * 100, j.get("boxes").getAsInt());
        assertEquals(0.95, j.get("recording_s").getAsDouble(), 1e-9);
        double p50 = j.get("latency_p50_ms").getAsDouble(),
                p99 = j.get("latency_p99_ms").getAsDouble();
        assertTrue(p50 > 0 && p50 <= p99 && p99 <= j.get("latency_max_ms").getAsDouble(), j.toString());
        assertTrue(j.get("realtime_factor").getAsDouble() > 0, j.toString());
        assertTrue(j.get("warm_up_s").getAsDouble() > 0, "warmed up before the stream, outside the latency: " + j);
        int held = j.get("peak_events_held").getAsInt();
        assertTrue(held <= 10_600 && held >= j.get("max_window_events").getAsInt(), "about 105 events a ms: " + j);

        try (ImageInputStream in = ImageIO.createImageInputStream(gif.toFile())) {
            ImageReader reader = ImageIO.getImageReadersByFormatName("gif").next();
            reader.setInput(in);
            assertEquals(WINDOWS, reader.getNumImages(true), "one frame a window");
            assertEquals(608, reader.getWidth(0), "the binned 304 columns at --video-scale 2");
            assertEquals(480, reader.getHeight(0));
        }

        Path png = tmp.resolve("window.png"); // render draws a detect output's rows at a window's end, labelled
        Run render = EvaluationCommandsTest.run(
                "render",
                "--events",
                recording.toString(),
                "--at",
                "150500",
                "--boxes",
                out.resolve("rect_bbox.npy").toString(),
                "--scale",
                "1",
                "--out",
                png.toString());
        assertEquals(0, render.code(), render.err());
        assertTrue(render.out().contains("100 boxes"), render.out());
    }

    /**
     * The recording appended to by another thread while {@code detect --follow} runs, in pieces that cut
     * the header and event records anywhere: the same boxes as from the finished file, and the run ends
     * once the file stops growing for --idle.
     */
    @Test
    void followsAFileBeingWrittenUntilItStopsGrowing() throws Exception {
        Path whole = tmp.resolve("whole");
        assertEquals(0, detect(recording, whole).code());
        Path growing = Files.createDirectories(tmp.resolve("live")).resolve("rect_td.dat");
        // 30 bytes end inside the header's first line; then 7777-byte pieces cut event records anywhere
        GrowingFile writer = GrowingFile.start(recording, growing, 30, 7777, 10);
        Path live = tmp.resolve("followed");
        Run r = detect(growing, live, "--follow", "--idle", "1");
        long ended = System.nanoTime();
        long finished = writer.finish();
        assertEquals(0, r.code(), r.err());
        assertTrue(ended - finished >= 1_000_000_000L, "waited out --idle after the last write");
        byte[] fromWhole = Files.readAllBytes(whole.resolve("rect_bbox.npy"));
        assertArrayEquals(fromWhole, Files.readAllBytes(live.resolve("rect_bbox.npy")), "as the finished file");
    }

    /**
     * On an OpenCL device (PoCL on the CPU in CI) at a size other than GEN1's: a 1280x720 sensor binned by
     * 3 runs the network at 448x256, and gives the CPU's boxes (paired as DeviceCommandsTest pairs them).
     * The head outputs are scaled up so that scores differ from cell to cell and the ranking is stable.
     */
    @Test
    void onAnOpenClDeviceAtTheBinnedSizeAsOnTheCpu() throws IOException {
        String device = "opencl:" + TestUtil.openClTestDevice();
        SpikingCenterNet model = new SpikingCenterNet(new ModelConfig(0.0625, 1.5, 5, 2, false), 4);
        model.stateDict().forEach((name, t) -> {
            if (name.startsWith("heads.") && name.endsWith(".out.weight")) {
                for (int i = 0; i < t.data().length; i++) t.data()[i] *= 1000;
            }
        });
        Arrays.fill(model.stateDict().get("heads.size.out.bias").data(), 8f);
        Path varied = tmp.resolve("varied.safetensors");
        ModelFiles.save(varied, model);
        Path hd = MovingRectangle.on(1280, 720).writeDat(tmp.resolve("hd_td.dat"), 150_000); // one window
        String[] args = {"detect", "--events", hd.toString(), "--checkpoint", varied.toString(), "--out"};
        Run c = EvaluationCommandsTest.run(concat(args, tmp.resolve("hd-cpu").toString()));
        assertEquals(0, c.code(), c.err());
        Run d = EvaluationCommandsTest.run(concat(args, tmp.resolve("hd-dev").toString(), "--device", device));
        assertEquals(0, d.code(), d.err());
        assertTrue(d.out().contains("1280x720 sensor / 3 = 427x240, network input 448x256"), d.out());
        Boxes a = Boxes.read(tmp.resolve("hd-cpu").resolve("hd_bbox.npy"));
        Boxes b = Boxes.read(tmp.resolve("hd-dev").resolve("hd_bbox.npy"));
        assertEquals(100, a.size());
        assertEquals(a.size(), b.size());
        assertTrue(DeviceCommandsTest.unmatched(a, b) <= 2, "at most 2 % of the CPU's boxes without a device twin");
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void aRecordingShorterThanAWindowSaysSo() throws IOException {
        Path brief = MovingRectangle.on(608, 480).writeDat(tmp.resolve("brief_td.dat"), 60_000);
        Path gif = tmp.resolve("brief.gif");
        Path json = tmp.resolve("brief.json");
        Run r = detect(brief, tmp.resolve("brief"), "--video", gif.toString(), "--json", json.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("brief_td.dat holds no complete window"), r.err());
        assertTrue(!Files.exists(gif), "no frame, no GIF");
        JsonObject j = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
        assertEquals(0, j.get("windows").getAsInt());
        assertTrue(j.get("latency_p99_ms").isJsonNull(), "JSON has no NaN: " + j);
    }

    @Test
    void badInputIsAClearError() throws IOException {
        Path out = tmp.resolve("bad");
        Path txt = Files.writeString(tmp.resolve("notes.txt"), "hello");
        Run r = detect(txt, out);
        assertEquals(1, r.code());
        assertTrue(r.err().contains("notes.txt: not an event file (.dat or .raw)"), r.err());
        assertTrue(!r.err().contains("Exception"), "no stack trace: " + r.err());

        r = detect(tmp.resolve("missing.raw"), out);
        assertEquals(1, r.code());
        assertTrue(r.err().contains("missing.raw: no such file"), r.err());

        r = detect(recording, out, "--downscale", "0");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--downscale must be auto or a whole number >= 1, got '0'"), r.err());

        r = detect(recording, out, "--downscale", "500");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("downscale factor must be 1..480 for a 608x480 sensor, got 500"), r.err());

        r = detect(recording, out, "--data", tmp.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("mutually exclusive"), r.err());

        r = EvaluationCommandsTest.run(
                "detect",
                "--data",
                tmp.toString(),
                "--checkpoint",
                weights.toString(),
                "--out",
                out.toString(),
                "--every",
                "20");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--every applies to --events only"), r.err());

        r = detect(recording, out, "--png");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--png applies to --data only"), r.err());

        r = detect(recording, out, "--idle", "2");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--idle applies with --follow only"), r.err());

        Path empty = Files.createFile(tmp.resolve("empty.dat"));
        r = detect(empty, out, "--follow", "--idle", "0.2");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("empty.dat: no event data after the header yet"), r.err());
    }
}
