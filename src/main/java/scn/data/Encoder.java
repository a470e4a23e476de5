package scn.data;

import scn.data.events.Events;
import scn.tensor.SpikeTensor;

/**
 * The input encoding of SPEC section 4: the events of the 100 ms before a label time {@code tL} become a
 * binary tensor {@code [T=5, C=4, H, W]}. With {@code τ = t − (tL − 100000)} for {@code tL − 100000 ≤ t < tL}:
 * time step {@code k = τ / 20000}, micro bin {@code b = (τ % 20000) / 10000}, channel {@code 2b + p}; an
 * element is 1 when at least one event fell into it.
 *
 * <p>One loop serves both the single-sample layout and the padded batch layout (SPEC section 3) through
 * strides, so a loader encodes straight into the batch without a copy. The loop reads exactly like the
 * formula; it is already a few nanoseconds per event, so there is no second, faster variant to check.
 */
public final class Encoder {
    public static final int STEPS = 5;
    public static final int CHANNELS = 4;
    public static final long WINDOW_US = 100_000;
    public static final long STEP_US = 20_000;
    public static final long MICRO_US = 10_000;

    private Encoder() {}

    /**
     * Where the encoder writes: element {@code (k, c, y, x)} goes to {@code offset + k*step + c*channel + y*row + x}.
     */
    public record Layout(int offset, int step, int channel, int row) {
        /** The dense {@code [5, 4, height, width]} layout of one sample. */
        public static Layout dense(int height, int width) {
            return new Layout(0, CHANNELS * height * width, height * width, width);
        }

        /** Sample {@code b} of a batch {@code [5, batch, 4, height, width]}. */
        public static Layout batch(int b, int batch, int height, int width) {
            return new Layout(b * CHANNELS * height * width, batch * CHANNELS * height * width, height * width, width);
        }
    }

    /** Encodes the window ending at {@code tL} into a new {@code [5, 4, height, width]} tensor. */
    public static SpikeTensor encode(Events ev, long tL, int width, int height) {
        byte[] out = new byte[STEPS * CHANNELS * height * width]; // [T, C, H, W]
        encode(ev, 0, ev.size(), tL, width, false, out, Layout.dense(height, width));
        return SpikeTensor.wrap(out, STEPS, CHANNELS, height, width);
    }

    /**
     * Sets to 1 the elements hit by events {@code [from, to)} of {@code ev} that fall in the window of
     * {@code tL}; events outside the window are ignored. With {@code flipX}, {@code x} becomes
     * {@code width − 1 − x} (horizontal flip of a {@code width}-pixel sensor). Does not clear {@code out}.
     * Returns the number of events that fell in the window.
     */
    public static int encode(Events ev, int from, int to, long tL, int width, boolean flipX, byte[] out, Layout at) {
        long start = tL - WINDOW_US;
        long[] t = ev.t();
        short[] xs = ev.x();
        short[] ys = ev.y();
        byte[] ps = ev.p();
        int used = 0;
        for (int i = from; i < to; i++) {
            long tau = t[i] - start;
            if (tau < 0 || tau >= WINDOW_US) continue;
            int micro = (int) (tau / MICRO_US); // 0..9 = 2k + b, since a step is two micro bins
            int k = micro >> 1;
            int b = micro & 1;
            int x = flipX ? width - 1 - xs[i] : xs[i];
            out[at.offset + k * at.step + (2 * b + ps[i]) * at.channel + ys[i] * at.row + x] = 1;
            used++;
        }
        return used;
    }
}
