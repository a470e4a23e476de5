package scn.tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Recycles the arrays of one repeated computation (a training step), so that after the first step
 * nothing large is allocated: every array taken while the arena is active is handed out again after
 * {@link #reset()}, exact sizes first. A step's sequence of shapes repeats, so each request finds the
 * array it had last time.
 *
 * <p>Contract: arrays taken from an arena are valid until the next {@link #reset()}, or until they are
 * given back ({@link #giveBack}); whoever keeps a result longer copies it. Operators call
 * {@link #floats}, {@link #bytes} and {@link #ints} through the thread's active arena, or get fresh
 * arrays when none is active.
 *
 * <p>It also counts what it hands out: {@link #heldBytes()} is everything it owns,
 * {@link #inUseBytes()} what is taken and not yet given back, {@link #peakInUseBytes()} the most of
 * that since the last reset. Held far above the peak in use means arrays of one size could not serve
 * requests of another.
 */
public final class Arena {
    private static final ThreadLocal<Arena> ACTIVE = new ThreadLocal<>();

    private final Map<Integer, ArrayDeque<float[]>> freeFloats = new HashMap<>();
    private final Map<Integer, ArrayDeque<byte[]>> freeBytes = new HashMap<>();
    private final Map<Integer, ArrayDeque<int[]>> freeInts = new HashMap<>();
    private final List<float[]> usedFloats = new ArrayList<>();
    private final List<byte[]> usedBytes = new ArrayList<>();
    private final List<int[]> usedInts = new ArrayList<>();
    private long allocatedBytes, inUseBytes, peakInUseBytes;

    /** Makes this arena the thread's active one until the scope closes. */
    public Scope activate() {
        Arena previous = ACTIVE.get();
        ACTIVE.set(this);
        return () -> ACTIVE.set(previous);
    }

    /** Closing restores the previously active arena. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    /** Everything taken becomes free again: the previous step's arrays are about to be reused. */
    public void reset() {
        for (float[] a : usedFloats) freeFloats.computeIfAbsent(a.length, k -> new ArrayDeque<>()).push(a);
        for (byte[] a : usedBytes) freeBytes.computeIfAbsent(a.length, k -> new ArrayDeque<>()).push(a);
        for (int[] a : usedInts) freeInts.computeIfAbsent(a.length, k -> new ArrayDeque<>()).push(a);
        usedFloats.clear();
        usedBytes.clear();
        usedInts.clear();
        inUseBytes = 0;
        peakInUseBytes = 0;
    }

    /** Bytes this arena has allocated in all, free or taken (stops growing once a step has run). */
    public long allocatedBytes() {
        return allocatedBytes;
    }

    /** Bytes taken and not given back since the last reset. */
    public long inUseBytes() {
        return inUseBytes;
    }

    /** The most bytes taken at once since the last reset: the least this arena could have held. */
    public long peakInUseBytes() {
        return peakInUseBytes;
    }

    private void took(long bytes) {
        inUseBytes += bytes;
        if (inUseBytes > peakInUseBytes) peakInUseBytes = inUseBytes;
    }

    /** A float array of length {@code n} with unspecified contents (zeros if freshly allocated). */
    public static float[] floats(int n) {
        Arena a = ACTIVE.get();
        if (a == null) return new float[n];
        ArrayDeque<float[]> q = a.freeFloats.get(n);
        float[] x = q == null ? null : q.poll();
        if (x == null) {
            x = new float[n];
            a.allocatedBytes += 4L * n;
        }
        a.usedFloats.add(x);
        a.took(4L * n);
        return x;
    }

    public static byte[] bytes(int n) {
        Arena a = ACTIVE.get();
        if (a == null) return new byte[n];
        ArrayDeque<byte[]> q = a.freeBytes.get(n);
        byte[] x = q == null ? null : q.poll();
        if (x == null) {
            x = new byte[n];
            a.allocatedBytes += n;
        }
        a.usedBytes.add(x);
        a.took(n);
        return x;
    }

    public static int[] ints(int n) {
        Arena a = ACTIVE.get();
        if (a == null) return new int[n];
        ArrayDeque<int[]> q = a.freeInts.get(n);
        int[] x = q == null ? null : q.poll();
        if (x == null) {
            x = new int[n];
            a.allocatedBytes += 4L * n;
        }
        a.usedInts.add(x);
        a.took(4L * n);
        return x;
    }

    /**
     * Returns an array to the active arena before the step ends (a gradient already propagated, an
     * activation whose last reader has run), so that a later request of its size reuses it. Returns
     * false, leaving the array alone, when the active arena (if any) did not hand it out.
     */
    public static boolean giveBack(float[] x) {
        Arena a = ACTIVE.get();
        if (a == null || !remove(a.usedFloats, x)) return false;
        a.freeFloats.computeIfAbsent(x.length, k -> new ArrayDeque<>()).push(x);
        a.inUseBytes -= 4L * x.length;
        return true;
    }

    public static boolean giveBack(byte[] x) {
        Arena a = ACTIVE.get();
        if (a == null || !remove(a.usedBytes, x)) return false;
        a.freeBytes.computeIfAbsent(x.length, k -> new ArrayDeque<>()).push(x);
        a.inUseBytes -= x.length;
        return true;
    }

    public static boolean giveBack(int[] x) {
        Arena a = ACTIVE.get();
        if (a == null || !remove(a.usedInts, x)) return false;
        a.freeInts.computeIfAbsent(x.length, k -> new ArrayDeque<>()).push(x);
        a.inUseBytes -= 4L * x.length;
        return true;
    }

    /** Removes {@code x} (by identity) from {@code used}; false if it is not there. */
    private static <T> boolean remove(List<T> used, T x) {
        // From the end: recently taken arrays are the ones usually given back.
        for (int i = used.size() - 1; i >= 0; i--) {
            if (used.get(i) == x) {
                int last = used.size() - 1;
                used.set(i, used.get(last));
                used.remove(last);
                return true;
            }
        }
        return false;
    }
}
