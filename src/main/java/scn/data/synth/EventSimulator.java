package scn.data.synth;

import java.io.IOException;
import java.util.Arrays;
import java.util.SplittableRandom;
import scn.data.DatWriter;

/**
 * An ESIM-style event camera: each pixel remembers the log intensity of its last event and fires one
 * event per contrast threshold crossed, at the time the crossing happens when the log intensity is
 * taken to vary linearly between two rendered frames. On top of that: a per-pixel threshold spread
 * (real pixels differ), a refractory period (a pixel that just fired stays silent; the crossing is
 * lost but the reference still moves, as in hardware), background-activity noise (random events at a
 * low rate everywhere) and a few hot pixels.
 *
 * <p>Events of one frame interval are collected and sorted by time with a counting sort over the
 * interval's microseconds before they are written, so the file is in time order.
 */
final class EventSimulator {
    private final int width;
    private final int height;
    private final float[] reference; // [H, W] log intensity at each pixel's last event
    private final float[] previous; // [H, W] the last frame
    private final float[] onThreshold; // [H, W]
    private final float[] offThreshold; // [H, W]
    private final long[] lastEvent; // [H, W] µs, for the refractory period
    private final long refractoryUs;
    private final double noiseHz; // per pixel
    private final int[] hotPixels;
    private final double hotHz;
    private final SplittableRandom rnd;
    private int[] offsets = new int[4096]; // [n] µs within the interval
    private int[] words = new int[4096]; // [n] packed x | y << 14 | p << 28
    private int[] sortedWords = new int[4096];
    private int[] sortedOffsets = new int[4096];
    private int n;
    private int[] counts = new int[0];

    EventSimulator(
            int width,
            int height,
            SplittableRandom rnd,
            double threshold,
            double spread,
            long refractoryUs,
            double noiseHz,
            int hot,
            double hotHz) {
        this.width = width;
        this.height = height;
        this.rnd = rnd;
        int size = width * height;
        reference = new float[size];
        previous = new float[size];
        onThreshold = new float[size];
        offThreshold = new float[size];
        lastEvent = new long[size];
        Arrays.fill(lastEvent, Long.MIN_VALUE / 2);
        for (int i = 0; i < size; i++) {
            onThreshold[i] = (float) Math.max(0.05, threshold + spread * gaussian(rnd));
            offThreshold[i] = (float) Math.max(0.05, threshold + spread * gaussian(rnd));
        }
        this.refractoryUs = refractoryUs;
        this.noiseHz = noiseHz;
        this.hotPixels = new int[hot];
        for (int i = 0; i < hot; i++) hotPixels[i] = rnd.nextInt(size);
        this.hotHz = hotHz;
    }

    /** Starts from a frame: no events, every reference set to it. */
    void reset(float[] frame) {
        System.arraycopy(frame, 0, reference, 0, reference.length);
        System.arraycopy(frame, 0, previous, 0, previous.length);
    }

    /** Emits the events between the previous frame (at {@code t0}) and {@code frame} (at {@code t1}), in time order. */
    int step(float[] frame, long t0, long t1, DatWriter out) throws IOException {
        int dt = (int) (t1 - t0);
        n = 0;
        for (int i = 0; i < frame.length; i++) {
            float l1 = frame[i];
            float ref = reference[i];
            float d = l1 - ref;
            float on = onThreshold[i];
            float off = offThreshold[i];
            if (d < on && d > -off) continue;
            float l0 = previous[i];
            float slope = l1 - l0; // never zero here: the reference lies within a threshold of l0
            int x = i % width;
            int y = i / width;
            if (d >= on) {
                for (float level = ref + on; level <= l1; level += on) {
                    emit(i, t0, dt, (level - l0) / slope, x, y, 1);
                    ref = level;
                }
            } else {
                for (float level = ref - off; level >= l1; level -= off) {
                    emit(i, t0, dt, (level - l0) / slope, x, y, 0);
                    ref = level;
                }
            }
            reference[i] = ref;
        }
        System.arraycopy(frame, 0, previous, 0, frame.length);
        noise(noiseHz * width * height * dt * 1e-6, -1, dt);
        for (int hp : hotPixels) noise(hotHz * dt * 1e-6, hp, dt);
        return writeSorted(t0, dt, out);
    }

    private void emit(int pixel, long t0, int dt, float fraction, int x, int y, int p) {
        int off = Math.min(dt - 1, Math.max(0, (int) (fraction * dt)));
        long t = t0 + off;
        if (t - lastEvent[pixel] < refractoryUs) return;
        lastEvent[pixel] = t;
        add(off, x | (y << 14) | (p << 28));
    }

    /** Poisson-many random events with mean {@code mean}, at a random pixel (or at {@code pixel} if >= 0). */
    private void noise(double mean, int pixel, int dt) {
        int k = poisson(mean);
        for (int j = 0; j < k; j++) {
            int i = pixel >= 0 ? pixel : rnd.nextInt(width * height);
            add(rnd.nextInt(dt), (i % width) | ((i / width) << 14) | (rnd.nextInt(2) << 28));
        }
    }

    private void add(int offset, int word) {
        if (n == offsets.length) {
            offsets = Arrays.copyOf(offsets, 2 * n);
            words = Arrays.copyOf(words, 2 * n);
        }
        offsets[n] = offset;
        words[n] = word;
        n++;
    }

    private int writeSorted(long t0, int dt, DatWriter out) throws IOException {
        if (counts.length < dt + 1) counts = new int[dt + 1];
        Arrays.fill(counts, 0, dt + 1, 0);
        for (int i = 0; i < n; i++) counts[offsets[i] + 1]++;
        for (int i = 0; i < dt; i++) counts[i + 1] += counts[i];
        if (sortedWords.length < n) {
            sortedWords = new int[words.length];
            sortedOffsets = new int[words.length];
        }
        for (int i = 0; i < n; i++) {
            int at = counts[offsets[i]]++;
            sortedWords[at] = words[i];
            sortedOffsets[at] = offsets[i];
        }
        for (int i = 0; i < n; i++) {
            int w = sortedWords[i];
            out.write(t0 + sortedOffsets[i], w & 0x3FFF, (w >>> 14) & 0x3FFF, (w >>> 28) & 1);
        }
        return n;
    }

    private int poisson(double mean) {
        if (mean <= 0) return 0;
        if (mean > 40) return (int) Math.max(0, Math.round(mean + Math.sqrt(mean) * gaussian(rnd)));
        double limit = Math.exp(-mean);
        double prod = rnd.nextDouble();
        int k = 0;
        while (prod > limit) {
            prod *= rnd.nextDouble();
            k++;
        }
        return k;
    }

    static double gaussian(SplittableRandom rnd) {
        double u = Math.max(1e-12, rnd.nextDouble());
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd.nextDouble());
    }
}
