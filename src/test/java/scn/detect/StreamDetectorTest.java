package scn.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import scn.data.Encoder;
import scn.data.events.EventStream;
import scn.data.events.Events;
import scn.tensor.Tensor;

/**
 * The stream detector with a stand-in network that "detects" the bounding box of the last time step's
 * spikes: the windows' timing, the binning and the way back to sensor pixels are then checked exactly,
 * and the memory bound over a long recording, without a trained model.
 */
class StreamDetectorTest {
    /** An in-memory stream handing out {@code batch} events at a time (batches cut windows anywhere). */
    static EventStream stream(Events ev, int width, int height, int batch) {
        return new EventStream() {
            int next;

            @Override
            public Path path() {
                return Path.of("memory.dat");
            }

            @Override
            public String format() {
                return "memory";
            }

            @Override
            public int width() {
                return width;
            }

            @Override
            public int height() {
                return height;
            }

            @Override
            public boolean next(Events out) {
                int n = Math.min(batch, ev.size() - next);
                out.resize(n);
                System.arraycopy(ev.t(), next, out.t(), 0, n);
                System.arraycopy(ev.x(), next, out.x(), 0, n);
                System.arraycopy(ev.y(), next, out.y(), 0, n);
                System.arraycopy(ev.p(), next, out.p(), 0, n);
                next += n;
                return n > 0;
            }

            @Override
            public List<String> headerLines() {
                return List.of();
            }

            @Override
            public long clamped() {
                return 0;
            }

            @Override
            public List<String> warnings() {
                return List.of();
            }

            @Override
            public void close() {}
        };
    }

    /**
     * Heads with one car at the bounding box of the spikes in the last time step (in the binned frame):
     * centre and size put where decoding (SPEC 6) reads them back exactly; no peak above -9 without spikes.
     */
    static SplitDetector.Forward lastStepBox(StreamGeometry g) {
        int ph = g.paddedHeight(), pw = g.paddedWidth(), gh = ph / 4, gw = pw / 4;
        return input -> {
            byte[] d = input.data(); // [5, 1, 4, ph, pw]
            int x1 = Integer.MAX_VALUE, y1 = Integer.MAX_VALUE, x2 = -1, y2 = -1;
            for (int c = 0; c < 4; c++) {
                for (int y = 0; y < ph; y++) {
                    for (int x = 0; x < pw; x++) {
                        if (d[((4 * 4 + c) * ph + y) * pw + x] == 0) continue;
                        x1 = Math.min(x1, x);
                        y1 = Math.min(y1, y);
                        x2 = Math.max(x2, x);
                        y2 = Math.max(y2, y);
                    }
                }
            }
            Tensor heat = Tensor.full(-9f, 1, 2, gh, gw);
            Tensor off = Tensor.zeros(1, 2, gh, gw);
            Tensor size = Tensor.zeros(1, 2, gh, gw);
            if (x2 >= 0) {
                float cx = (x1 + x2 + 1) / 2f, cy = (y1 + y2 + 1) / 2f;
                int gx = (int) (cx / 4), gy = (int) (cy / 4), cell = gy * gw + gx;
                heat.data()[cell] = 4f;
                off.data()[cell] = cx / 4 - gx;
                off.data()[gh * gw + cell] = cy / 4 - gy;
                size.data()[cell] = (x2 + 1 - x1) / 4f;
                size.data()[gh * gw + cell] = (y2 + 1 - y1) / 4f;
            }
            return new SplitDetector.Heads(heat, off, size);
        };
    }

    /** The bounding box {@code (x1, y1, x2, y2)} of the events in {@code [from, to)} µs, in sensor pixels. */
    static int[] boundingBox(Events ev, long from, long to) {
        int[] b = {Integer.MAX_VALUE, Integer.MAX_VALUE, -1, -1};
        for (int i = 0; i < ev.size(); i++) {
            if (ev.t()[i] < from || ev.t()[i] >= to) continue;
            b[0] = Math.min(b[0], ev.x()[i]);
            b[1] = Math.min(b[1], ev.y()[i]);
            b[2] = Math.max(b[2], ev.x()[i]);
            b[3] = Math.max(b[3], ev.y()[i]);
        }
        return b;
    }

    @Test
    void windowsEveryPeriodAndBoxesInSensorPixelsAtDownscale2() throws Exception {
        MovingRectangle rect = MovingRectangle.on(608, 480);
        Events ev = rect.events(1_000_000);
        StreamGeometry g = StreamGeometry.auto(608, 480);
        assertEquals(2, g.factor());
        List<StreamDetector.Window> windows = new ArrayList<>();
        List<CenterNetDecoder.Detection> first = new ArrayList<>();
        StreamDetector det = new StreamDetector(lastStepBox(g), new StreamDetector.Options(50_000, g));
        StreamDetector.Summary s = det.run(stream(ev, 608, 480, 777), w -> {
            windows.add(w);
            first.add(w.detections().get(0));
        });
        // The first event is at 500 µs; the first window ends 100 ms later, then every 50 ms while events
        // at or after the end arrive (the last event is at 999.5 ms): 100.5, 150.5, ..., 950.5 ms.
        assertEquals(18, s.windows());
        for (int k = 0; k < windows.size(); k++) {
            long end = 100_500 + 50_000L * k;
            assertEquals(end, windows.get(k).end());
            int[] b = boundingBox(ev, end - Encoder.STEP_US, end); // the stand-in's view: the last 20 ms step
            // Binned by 2 and back: the box snaps outwards to even pixels.
            CenterNetDecoder.Detection d = first.get(k);
            assertEquals(b[0] / 2 * 2, d.x(), "window " + end);
            assertEquals(b[1] / 2 * 2, d.y(), "window " + end);
            assertEquals(Math.min(608, (b[2] / 2 + 1) * 2), d.x() + d.w(), "window " + end);
            assertEquals(Math.min(480, (b[3] / 2 + 1) * 2), d.y() + d.h(), "window " + end);
        }
        CenterNetDecoder.Detection last = first.get(first.size() - 1);
        assertTrue(last.x() + last.w() > 304, "beyond GEN1's 304 columns by then, not clipped to them: " + last);
        assertEquals(windows.get(0).events(), boundingCount(ev, 500, 100_500));
        assertTrue(s.p50Ms() <= s.p99Ms() && s.p99Ms() <= s.maxMs() && s.p50Ms() > 0, s.toString());
        assertEquals(0.95, s.recordingSeconds(), 1e-9, "from the first event (0.5 ms) to the last window's end");
    }

    private static int boundingCount(Events ev, long from, long to) {
        int n = 0;
        for (int i = 0; i < ev.size(); i++) if (ev.t()[i] >= from && ev.t()[i] < to) n++;
        return n;
    }

    /** The most events any window of the grid holds, counted from the events themselves. */
    private static int largestWindow(Events ev, long firstEnd, long every) {
        int most = 0;
        for (long end = firstEnd; end <= ev.t()[ev.size() - 1] + every; end += every) {
            most = Math.max(most, boundingCount(ev, end - Encoder.WINDOW_US, end));
        }
        return most;
    }

    @Test
    void eventsHeldNeverExceedOneWindowOverATenTimesLongerRecording() throws Exception {
        MovingRectangle rect = MovingRectangle.on(608, 480);
        StreamGeometry g = StreamGeometry.auto(608, 480);
        int[] peakShort = new int[1];
        for (long micros : new long[] {1_000_000, 10_000_000}) {
            Events ev = rect.events(micros);
            for (long every : new long[] {50_000, 250_000}) { // also windows further apart than they are long
                int bound = largestWindow(ev, 100_500, every);
                int[] heldAtWindows = {0};
                StreamDetector det = new StreamDetector(lastStepBox(g), new StreamDetector.Options(every, g));
                StreamDetector.Summary s = det.run(
                        stream(ev, 608, 480, 4096),
                        w -> heldAtWindows[0] = Math.max(heldAtWindows[0], det.eventsHeld()));
                assertTrue(s.peakEventsHeld() <= bound, s.peakEventsHeld() + " held; the largest window has " + bound);
                assertTrue(heldAtWindows[0] <= bound);
                assertEquals(s.maxWindowEvents(), heldAtWindows[0], "at a window the ring holds exactly that window");
                if (every == 50_000 && micros == 1_000_000) peakShort[0] = s.peakEventsHeld();
                if (every == 50_000 && micros == 10_000_000) {
                    assertTrue(
                            s.peakEventsHeld() <= peakShort[0] * 1.05,
                            "flat: " + s.peakEventsHeld() + " against " + peakShort[0] + " over 1 s");
                    assertTrue(s.eventsRead() > 20L * s.peakEventsHeld(), "far more events read than held");
                }
            }
        }
    }

    @Test
    void aGapInTheRecordingStillGivesItsWindowsEmpty() throws Exception {
        Events ev = new Events();
        for (long t = 0; t < 300_000; t += 1000) ev.add(t, 10, 10, 1);
        for (long t = 2_000_000; t < 2_200_000; t += 1000) ev.add(t, 20, 20, 0);
        StreamGeometry g = StreamGeometry.auto(304, 240);
        List<long[]> seen = new ArrayList<>();
        new StreamDetector(lastStepBox(g), new StreamDetector.Options(50_000, g))
                .run(
                        stream(ev, 304, 240, 50),
                        w -> seen.add(new long[] {
                            w.end(), w.events(), w.detections().get(0).score() > 0.5f ? 1 : 0
                        }));
        assertEquals(100_000, seen.get(0)[0]);
        assertEquals(100, seen.get(0)[1]);
        long[] inGap = seen.stream().filter(w -> w[0] == 1_000_000).findFirst().orElseThrow();
        assertEquals(0, inGap[1], "no events in the gap");
        assertEquals(0, inGap[2], "and no confident box");
        assertEquals(2_150_000, seen.get(seen.size() - 1)[0]);
        assertEquals(42, seen.size(), "100 ms to 2150 ms every 50 ms");
    }
}
