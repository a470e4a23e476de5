package scn.detect;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import scn.data.Encoder;
import scn.data.EventRing;
import scn.data.events.EventStream;
import scn.data.events.Events;
import scn.tensor.SpikeTensor;

/**
 * Detection over a whole recording read as a stream: a window every {@code every} µs, each the 100 ms
 * before its end time (SPEC section 4), binned and padded as {@link StreamGeometry} says, through a
 * forward pass ({@link SplitDetector.Forward}) and SPEC section 6's decoding, to boxes in sensor pixels.
 *
 * <p>Windows. The first ends 100 ms after the first event, when a full window of events exists; the
 * next ones follow every {@code every} µs. A window is complete when the stream hands over the first
 * event at or after its end (times never decrease), and it is run then, before that event is taken in;
 * a recording's last events, after the last complete window's end, make no window. A gap in the
 * recording still gives its windows, empty, as a camera's stream would.
 *
 * <p>Memory. Only events that can still fall into a window are kept ({@link EventRing}): after each
 * window, those older than the next window's start are dropped, and events that arrive before that
 * start (when {@code every} exceeds 100 ms) are not kept at all. So the events held never exceed one
 * window's, whatever the recording's length; {@link Summary#peakEventsHeld} says how many were.
 *
 * <p>Latency. Each window's latency runs from its completion (the moment its last event is available,
 * since the event that completes it is in hand) to its boxes in sensor pixels: encoding, forward pass and
 * decoding. Reading and decoding the file, and what the listener does with the boxes (writing files,
 * drawing video frames), come outside it; they are in the wall time and so in the real-time factor.
 */
public final class StreamDetector {
    /** The window every {@code everyMicros} µs, and the geometry the events are binned to. */
    public record Options(long everyMicros, StreamGeometry geometry) {
        public Options {
            if (everyMicros <= 0) {
                throw new IllegalArgumentException("the window period must be > 0 µs, got " + everyMicros);
            }
        }
    }

    /**
     * One window's result: its end time (µs), the events that fell in it, the detections in sensor pixels
     * and in the binned frame (same order, best score first), the encoded input {@code [T, 1, 4, PH, PW]}
     * (valid during the call only: it is reused) and the latency in nanoseconds.
     */
    public record Window(
            long end,
            int events,
            List<CenterNetDecoder.Detection> detections,
            List<CenterNetDecoder.Detection> frameDetections,
            SpikeTensor input,
            long latencyNanos) {}

    /** Hears each window as it is done. */
    @FunctionalInterface
    public interface Listener {
        void window(Window w) throws IOException;
    }

    /**
     * What a run did. Times: the first event's and the last window's end (µs); {@code wallNanos} from the
     * first read to the end, of which {@code windowNanos} in windows (the latencies' sum) and
     * {@code listenerNanos} in the listener; the rest is reading. {@code windowCpuNanos} is the CPU time the
     * calling thread spent in windows (of a loaded machine's wall time, only part is ours; with worker
     * threads, theirs comes on top). Latencies in milliseconds (NaN without windows). {@code peakEventsHeld}
     * is the most events kept at once, {@code maxWindowEvents} the most in one window.
     */
    public record Summary(
            long windows,
            long eventsRead,
            long firstTime,
            long lastEnd,
            long wallNanos,
            long windowNanos,
            long windowCpuNanos,
            long listenerNanos,
            double p50Ms,
            double p99Ms,
            double maxMs,
            double meanMs,
            int peakEventsHeld,
            int maxWindowEvents) {
        /** Recording time the windows cover, from the first event to the last window's end, in seconds. */
        public double recordingSeconds() {
            return windows == 0 ? 0 : (lastEnd - firstTime) / 1e6;
        }

        /** Recording time covered per second of wall time: above 1 keeps up with a camera. */
        public double realTimeFactor() {
            return wallNanos == 0 ? 0 : recordingSeconds() / (wallNanos / 1e9);
        }
    }

    private static final ThreadMXBean THREAD_CPU = ManagementFactory.getThreadMXBean();

    private final SplitDetector.Forward forward;
    private final Options options;
    private final StreamGeometry geometry;
    private final EventRing ring = new EventRing(1 << 16);
    private final byte[] input; // [T=5, B=1, C=4, PH, PW]
    private final SpikeTensor inputTensor;
    private final Encoder.Layout layout;
    private float[] latenciesMs = new float[1024]; // [windows]: 4 bytes a window, the one thing that grows
    private long windows;
    private int maxWindowEvents;
    private long windowNanos;
    private long windowCpuNanos;
    private long listenerNanos;

    public StreamDetector(SplitDetector.Forward forward, Options options) {
        this.forward = forward;
        this.options = options;
        this.geometry = options.geometry();
        int ph = geometry.paddedHeight(), pw = geometry.paddedWidth();
        this.input = new byte[Encoder.STEPS * Encoder.CHANNELS * ph * pw];
        this.inputTensor = SpikeTensor.wrapTrusted(input, Encoder.STEPS, 1, Encoder.CHANNELS, ph, pw);
        this.layout = Encoder.Layout.batch(0, 1, ph, pw);
    }

    /**
     * Runs the forward pass {@code passes} times on a made-up window (2 % of its elements set, from a fixed
     * seed) and returns the nanoseconds it took. A live pipeline does this before the camera starts: the
     * first passes of a JVM pay for class loading, just-in-time compilation and the activations' first
     * allocation (seconds, against tens of milliseconds later), which would otherwise land on the first
     * windows' latency.
     */
    public long warmUp(int passes) {
        long start = System.nanoTime();
        SplittableRandom rnd = new SplittableRandom(1);
        for (int i = 0; i < passes; i++) {
            Arrays.fill(input, (byte) 0);
            for (int k = 0; k < input.length / 50; k++) input[rnd.nextInt(input.length)] = 1;
            forward.apply(inputTensor);
        }
        Arrays.fill(input, (byte) 0);
        return System.nanoTime() - start;
    }

    /** Runs over {@code events} to its end, handing each window to {@code listener}. */
    public Summary run(EventStream events, Listener listener) throws IOException {
        if (events.width() != geometry.sensorWidth() || events.height() != geometry.sensorHeight()) {
            throw new IllegalArgumentException("geometry " + geometry + " does not fit the " + events.width() + "x"
                    + events.height() + " sensor of " + events.path());
        }
        long start = System.nanoTime();
        Events batch = new Events(1 << 16);
        int n = geometry.factor();
        long read = 0;
        long first = -1;
        long nextEnd = Long.MAX_VALUE; // the end of the next window; set by the first event
        while (events.next(batch)) {
            long[] t = batch.t();
            short[] x = batch.x();
            short[] y = batch.y();
            byte[] p = batch.p();
            for (int i = 0, size = batch.size(); i < size; i++) {
                long ti = t[i];
                if (first < 0) {
                    first = ti;
                    nextEnd = ti + Encoder.WINDOW_US;
                }
                while (ti >= nextEnd) {
                    window(nextEnd, System.nanoTime(), listener);
                    nextEnd += options.everyMicros();
                    ring.dropBefore(nextEnd - Encoder.WINDOW_US);
                }
                if (ti >= nextEnd - Encoder.WINDOW_US) ring.add(ti, x[i] / n, y[i] / n, p[i]);
            }
            read += batch.size();
        }
        long wall = System.nanoTime() - start;
        float[] sorted = Arrays.copyOf(latenciesMs, (int) windows);
        Arrays.sort(sorted);
        double mean = windows == 0 ? Double.NaN : windowNanos / 1e6 / windows;
        long lastEnd = windows == 0 ? -1 : nextEnd - options.everyMicros();
        double max = sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1];
        return new Summary(
                windows,
                read,
                first,
                lastEnd,
                wall,
                windowNanos,
                windowCpuNanos,
                listenerNanos,
                percentile(sorted, 0.50),
                percentile(sorted, 0.99),
                max,
                mean,
                ring.peakSize(),
                maxWindowEvents);
    }

    /** Encodes, runs and decodes the window ending at {@code end}, which completed at {@code completed} (nanoTime). */
    private void window(long end, long completed, Listener listener) throws IOException {
        long cpu = THREAD_CPU.getCurrentThreadCpuTime();
        Arrays.fill(input, (byte) 0);
        int used = ring.encode(end, geometry.width(), input, layout);
        SplitDetector.Heads heads = forward.apply(inputTensor);
        List<CenterNetDecoder.Detection> frame = CenterNetDecoder.decode(
                        geometry.decoderConfig(), heads.heatmap(), heads.offset(), heads.size())
                .get(0);
        List<CenterNetDecoder.Detection> sensor = new ArrayList<>(frame.size());
        for (CenterNetDecoder.Detection d : frame) sensor.add(geometry.toSensor(d));
        long done = System.nanoTime();
        windowCpuNanos += THREAD_CPU.getCurrentThreadCpuTime() - cpu;
        long latency = done - completed;
        if (windows == latenciesMs.length) latenciesMs = Arrays.copyOf(latenciesMs, 2 * latenciesMs.length);
        latenciesMs[(int) windows] = (float) (latency / 1e6);
        windows++;
        windowNanos += latency;
        maxWindowEvents = Math.max(maxWindowEvents, used);
        listener.window(new Window(end, used, sensor, frame, inputTensor, latency));
        listenerNanos += System.nanoTime() - done;
    }

    /** The nearest-rank percentile of sorted values ({@code q} in (0, 1]); NaN for none. */
    static double percentile(float[] sorted, double q) {
        if (sorted.length == 0) return Double.NaN;
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }

    /** Events held now (for tests that watch memory while a stream runs). */
    public int eventsHeld() {
        return ring.size();
    }
}
