package scn.data.events;

import java.util.Arrays;

/**
 * A growable run of decoded events as parallel arrays (structure of arrays), reused across reads so a
 * loader decodes window after window without allocating.
 *
 * <p>Timestamps are microseconds, already clamped to the running maximum, so they never decrease: from a
 * {@code .dat} unsigned 32-bit values widened to {@code long}, from a {@code .raw} 64-bit values with the
 * sensor clock's wrap-arounds unrolled. Coordinates are sensor pixels; polarity is 0 or 1.
 */
public final class Events {
    private long[] t; // [capacity]
    private short[] x; // [capacity]
    private short[] y; // [capacity]
    private byte[] p; // [capacity]
    private int size;

    public Events() {
        this(1024);
    }

    public Events(int capacity) {
        int c = Math.max(1, capacity);
        t = new long[c];
        x = new short[c];
        y = new short[c];
        p = new byte[c];
    }

    public int size() {
        return size;
    }

    public void clear() {
        size = 0;
    }

    /** Makes room for {@code n} events and sets the size to {@code n}; callers fill the arrays. */
    public void resize(int n) {
        if (n > t.length) {
            int c = Math.max(n, t.length + (t.length >> 1));
            t = Arrays.copyOf(t, c);
            x = Arrays.copyOf(x, c);
            y = Arrays.copyOf(y, c);
            p = Arrays.copyOf(p, c);
        }
        size = n;
    }

    public void add(long time, int px, int py, int polarity) {
        int i = size;
        resize(i + 1);
        t[i] = time;
        x[i] = (short) px;
        y[i] = (short) py;
        p[i] = (byte) polarity;
    }

    /** Appends events {@code [from, to)} of {@code src}. */
    public void append(Events src, int from, int to) {
        int at = size;
        resize(at + to - from);
        System.arraycopy(src.t, from, t, at, to - from);
        System.arraycopy(src.x, from, x, at, to - from);
        System.arraycopy(src.y, from, y, at, to - from);
        System.arraycopy(src.p, from, p, at, to - from);
    }

    public long[] t() {
        return t;
    }

    public short[] x() {
        return x;
    }

    public short[] y() {
        return y;
    }

    public byte[] p() {
        return p;
    }
}
