package scn.ops;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import scn.backend.Parallel;

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

    /** Channel-major lists: entries of channel {@code c} are {@code entries[start[c] .. start[c+1])}. */
    int[] start = new int[0];

    int[] entries = new int[0];
    /** Position-major bit sets, {@code [words, hw]}. */
    long[] masks = new long[0];

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

    /**
     * Ones in each of {@code planes} consecutive planes of {@code planeSize} bytes from the start of {@code x}, the
     * planes split over the threads: every convolution on spikes counts its input once or twice, and on one thread
     * the count took 3 % of a training step at width 0.25 while the other thread waited.
     */
    static long[] onesPerPlane(byte[] x, int planes, int planeSize) {
        long[] ones = new long[planes];
        Parallel.forEach(planes, (worker, from, to) -> {
            for (int p = from; p < to; p++) ones[p] = countOnes(x, p * planeSize, (p + 1) * planeSize);
        });
        return ones;
    }

    /**
     * Position-major bit sets of {@code channels} planes of {@code hw} bytes starting at {@code at}:
     * {@code masks[word·hw + p]} has bit {@code c mod 64} set when channel {@code 64·word + c mod 64} is
     * active at position {@code p}. One branch-free pass over the bytes (the compiler vectorises it),
     * cheaper to build than lists and decoded per position only where a position is visited.
     */
    void bitsByPosition(byte[] x, int at, int channels, int hw) {
        int words = (channels + 63) >>> 6;
        if (masks.length < words * hw) masks = new long[words * hw];
        java.util.Arrays.fill(masks, 0, words * hw, 0L);
        for (int c = 0; c < channels; c++) {
            int plane = at + c * hw, row = (c >>> 6) * hw, bit = c & 63;
            for (int p = 0; p < hw; p++) masks[row + p] |= (long) x[plane + p] << bit;
        }
    }

    /**
     * Writes the active channels at position {@code p} of the last {@link #bitsByPosition} into
     * {@code out}, ascending, each as {@code c * scale}; returns how many.
     */
    int channelsAt(int p, int hw, int words, int scale, int[] out) {
        int n = 0;
        for (int word = 0; word < words; word++) {
            long m = masks[word * hw + p];
            while (m != 0) {
                out[n++] = ((word << 6) + Long.numberOfTrailingZeros(m)) * scale;
                m &= m - 1;
            }
        }
        return n;
    }

    /**
     * Channel-major lists of {@code channels} planes of {@code [h, w]} bytes starting at {@code at}, each
     * split into the {@code stride²} classes of {@code (iy mod stride, ix mod stride)}: the active
     * positions of channel {@code c} in class {@code (ry, rx)} are, in raster order, list
     * {@code (c·stride + ry)·stride + rx}, each stored as {@code iy << 16 | ix} (planes are narrower than
     * 65536). A tap of a strided convolution reaches outputs from one class only, so it walks just that
     * list instead of testing every input.
     */
    void byChannel(byte[] x, int at, int channels, int h, int w, int stride) {
        int lists = channels * stride * stride;
        if (start.length < lists + 1) start = new int[lists + 1];
        int total = (int) countOnes(x, at, at + channels * h * w);
        if (entries.length < total) entries = new int[Math.max(total, entries.length * 3 / 2)];
        int n = 0;
        for (int c = 0; c < channels; c++) {
            for (int ry = 0; ry < stride; ry++) {
                for (int rx = 0; rx < stride; rx++) {
                    start[(c * stride + ry) * stride + rx] = n;
                    long keep = classBits(rx, stride);
                    boolean test = 8 % stride != 0; // then keep is all bits, and each column is tested
                    for (int iy = ry; iy < h; iy += stride) {
                        int row = at + (c * h + iy) * w, key = iy << 16;
                        int ix = 0;
                        for (; ix + 8 <= w; ix += 8) {
                            long v = (long) LONGS.get(x, row + ix) & keep;
                            while (v != 0) {
                                int col = ix + (Long.numberOfTrailingZeros(v) >>> 3);
                                if (!test || col % stride == rx) entries[n++] = key | col;
                                v &= v - 1;
                            }
                        }
                        for (; ix < w; ix++) if (x[row + ix] != 0 && ix % stride == rx) entries[n++] = key | ix;
                    }
                }
            }
        }
        start[lists] = n;
    }

    /**
     * The bits of a little-endian word of 8 bytes (starting at a column that is a multiple of 8) whose byte index
     * is {@code rx} modulo {@code stride}; all bits when {@code stride} does not divide 8 (the caller then
     * tests each column).
     */
    private static long classBits(int rx, int stride) {
        if (stride == 1 || 8 % stride != 0) return -1L;
        long bits = 0;
        for (int k = rx; k < 8; k += stride) bits |= 0xFFL << (8 * k);
        return bits;
    }
}
