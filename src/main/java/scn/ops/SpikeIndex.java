package scn.ops;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Compact lists of the active inputs of byte spikes, the index the event-driven convolution
 * ({@link SpikeConvFast}) walks instead of the dense tensor, and the count of ones its dispatch reads.
 *
 * <p>Bytes are read eight at a time as a little-endian long: a zero word (most of them at the firing
 * rates of this network) is skipped in one test, and since every byte is 0 or 1 each active byte of a
 * word is one set bit at position {@code 8·k}, found with {@code numberOfTrailingZeros}.
 *
 * <p>The lists live in per-thread arrays that grow to the largest size asked for and are reused; an
 * index is valid until the same thread builds the next one.
 */
final class SpikeIndex {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final ThreadLocal<SpikeIndex> PER_THREAD = ThreadLocal.withInitial(SpikeIndex::new);

    /** Entries of item {@code i} are {@code entries[start[i] .. start[i+1])}. */
    int[] start = new int[0];
    int[] entries = new int[0];

    private SpikeIndex() {}

    /** This thread's index, to be filled by one of the builders below. */
    static SpikeIndex local() {
        return PER_THREAD.get();
    }

    /** Number of ones in {@code x[from, to)}; bytes must be 0 or 1. */
    static long countOnes(byte[] x, int from, int to) {
        long ones = 0;
        int i = from;
        for (; i + 8 <= to; i += 8) ones += Long.bitCount((long) LONGS.get(x, i));
        for (; i < to; i++) ones += x[i];
        return ones;
    }

    /** Fraction of ones in {@code x[0, n)}. */
    static double density(byte[] x, int n) {
        return n == 0 ? 0 : (double) countOnes(x, 0, n) / n;
    }

    /**
     * Position-major lists of {@code channels} planes of {@code hw} bytes starting at {@code at}: for each
     * position {@code p}, the active channels {@code c} (ascending) stored as {@code c * entryScale}, so
     * the forward pass can use an entry directly as the offset of that channel's transposed weights.
     */
    void byPosition(byte[] x, int at, int channels, int hw, int entryScale) {
        if (start.length < hw + 1) start = new int[hw + 1];
        java.util.Arrays.fill(start, 0, hw + 1, 0);
        // Pass 1: count per position; then inclusive prefix sums make start[p] the end of p's run.
        for (int c = 0; c < channels; c++) {
            int plane = at + c * hw;
            int i = 0;
            for (; i + 8 <= hw; i += 8) {
                long v = (long) LONGS.get(x, plane + i);
                while (v != 0) {
                    start[i + (Long.numberOfTrailingZeros(v) >>> 3)]++;
                    v &= v - 1;
                }
            }
            for (; i < hw; i++) start[i] += x[plane + i];
        }
        int total = 0;
        for (int p = 0; p < hw; p++) {
            total += start[p];
            start[p] = total;
        }
        start[hw] = total;
        if (entries.length < total) entries = new int[Math.max(total, entries.length * 3 / 2)];
        // Pass 2, channels in reverse: filling each run from its end leaves start[p] at its beginning and
        // the run in ascending channel order.
        for (int c = channels - 1; c >= 0; c--) {
            int plane = at + c * hw, value = c * entryScale;
            int i = 0;
            for (; i + 8 <= hw; i += 8) {
                long v = (long) LONGS.get(x, plane + i);
                while (v != 0) {
                    entries[--start[i + (Long.numberOfTrailingZeros(v) >>> 3)]] = value;
                    v &= v - 1;
                }
            }
            for (; i < hw; i++) if (x[plane + i] != 0) entries[--start[i]] = value;
        }
    }

    /**
     * Channel-major lists of {@code channels} planes of {@code [h, w]} bytes starting at {@code at}: for
     * each channel, its active positions in raster order, each stored as {@code iy << 16 | ix}
     * (input planes are narrower than 65536).
     */
    void byChannel(byte[] x, int at, int channels, int h, int w) {
        if (start.length < channels + 1) start = new int[channels + 1];
        int total = (int) countOnes(x, at, at + channels * h * w);
        if (entries.length < total) entries = new int[Math.max(total, entries.length * 3 / 2)];
        int n = 0;
        for (int c = 0; c < channels; c++) {
            start[c] = n;
            for (int iy = 0; iy < h; iy++) {
                int row = at + (c * h + iy) * w, key = iy << 16;
                int ix = 0;
                for (; ix + 8 <= w; ix += 8) {
                    long v = (long) LONGS.get(x, row + ix);
                    while (v != 0) {
                        entries[n++] = key | (ix + (Long.numberOfTrailingZeros(v) >>> 3));
                        v &= v - 1;
                    }
                }
                for (; ix < w; ix++) if (x[row + ix] != 0) entries[n++] = key | ix;
            }
        }
        start[channels] = n;
    }
}
