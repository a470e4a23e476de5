package scn.tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Recycles the arrays of one repeated computation (a training step), so that after the first step
 * nothing large is allocated: every array taken while the arena is active is handed out again after
 * {@link #reset()}, and arrays given back earlier ({@link #giveBack}) serve later requests of the same
 * step. A step's sequence of requests repeats, so each finds what it found last time.
 *
 * <p>A float request takes the smallest free array that holds it, up to {@link #SHARE} times its size
 * (a {@link Tensor} may use a prefix of its array): the layers of a network come in many sizes, and
 * the temporaries of one layer can then reuse the arrays of another. Byte and int arrays (spikes,
 * pooling indices) are matched by exact size; their users index them by length.
 *
 * <p>Contract: arrays taken from an arena are valid until the next {@link #reset()}, or until they are
 * given back; whoever keeps a result longer copies it. Operators call {@link #floats}, {@link #bytes}
 * and {@link #ints} through the thread's active arena, or get fresh arrays when none is active.
 *
 * <p>It also counts: {@link #allocatedBytes()} is everything it holds, {@link #inUseBytes()} what the
 * requests taken and not given back asked for, {@link #peakInUseBytes()} the most of that since the
 * last reset — the least any arena could hold. Held above the peak is what matching arrays to
 * requests costs.
 */
public final class Arena {
    /**
     * How much larger than a float request a reused array may be. Larger lets more layers share; but a
     * small long-lived activation that takes a large array keeps it from the larger request that comes
     * later, which then allocates. 2 held least on the network's training step (4 and unbounded: a few
     * percent more).
     */
    static final int SHARE = 2;

    private static final ThreadLocal<Arena> ACTIVE = new ThreadLocal<>();

    /** An array handed out and the bytes its request asked for. */
    private record Taken<A>(A array, long bytes) {}

    private final int padding;
    private final TreeMap<Integer, ArrayDeque<float[]>> freeFloats = new TreeMap<>(); // by length
    private final Map<Integer, ArrayDeque<byte[]>> freeBytes = new HashMap<>();
    private final Map<Integer, ArrayDeque<int[]>> freeInts = new HashMap<>();
    private final List<Taken<float[]>> usedFloats = new ArrayList<>();
    private final List<Taken<byte[]>> usedBytes = new ArrayList<>();
    private final List<Taken<int[]>> usedInts = new ArrayList<>();
    private long allocatedBytes, inUseBytes, peakInUseBytes;

    public Arena() {
        this(0);
    }

    private Arena(int padding) {
        this.padding = padding;
    }

    /**
     * For tests: an arena whose float arrays are always at least {@code padding} values longer than
     * asked, the values past the request set to NaN on every hand-out, so that code which reads a
     * tensor past its {@link Tensor#size()} produces NaNs.
     */
    public static Arena padded(int padding) {
        if (padding < 1) throw new IllegalArgumentException("padding must be >= 1, got " + padding);
        return new Arena(padding);
    }

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
        for (Taken<float[]> t : usedFloats) freeFloats.computeIfAbsent(t.array().length, k -> new ArrayDeque<>()).push(t.array());
        for (Taken<byte[]> t : usedBytes) freeBytes.computeIfAbsent(t.array().length, k -> new ArrayDeque<>()).push(t.array());
        for (Taken<int[]> t : usedInts) freeInts.computeIfAbsent(t.array().length, k -> new ArrayDeque<>()).push(t.array());
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

    /** Bytes asked for by the requests taken and not given back since the last reset. */
    public long inUseBytes() {
        return inUseBytes;
    }

    /** The most bytes in use at once since the last reset: the least this arena could have held. */
    public long peakInUseBytes() {
        return peakInUseBytes;
    }

    private void took(long bytes) {
        inUseBytes += bytes;
        if (inUseBytes > peakInUseBytes) peakInUseBytes = inUseBytes;
    }

    /**
     * A float array of at least {@code n} values, the first {@code n} unspecified (zeros if freshly
     * allocated); it may be longer (up to {@link #SHARE} times), so index it by {@code n}, not by its length.
     */
    public static float[] floats(int n) {
        Arena a = ACTIVE.get();
        if (a == null) return new float[n];
        int want = n + a.padding;
        Map.Entry<Integer, ArrayDeque<float[]>> free = a.freeFloats.ceilingEntry(want);
        float[] x;
        if (free != null && free.getKey() <= (long) SHARE * want) {
            x = free.getValue().pop();
            if (free.getValue().isEmpty()) a.freeFloats.remove(free.getKey());
        } else {
            x = new float[want];
            a.allocatedBytes += 4L * want;
        }
        if (a.padding > 0) Arrays.fill(x, n, x.length, Float.NaN);
        a.usedFloats.add(new Taken<>(x, 4L * n));
        a.took(4L * n);
        return x;
    }

    /** A byte array of exactly {@code n} values, contents unspecified (zeros if freshly allocated). */
    public static byte[] bytes(int n) {
        Arena a = ACTIVE.get();
        if (a == null) return new byte[n];
        ArrayDeque<byte[]> q = a.freeBytes.get(n);
        byte[] x = q == null ? null : q.poll();
        if (x == null) {
            x = new byte[n];
            a.allocatedBytes += n;
        }
        a.usedBytes.add(new Taken<>(x, n));
        a.took(n);
        return x;
    }

    /** An int array of exactly {@code n} values, contents unspecified (zeros if freshly allocated). */
    public static int[] ints(int n) {
        Arena a = ACTIVE.get();
        if (a == null) return new int[n];
        ArrayDeque<int[]> q = a.freeInts.get(n);
        int[] x = q == null ? null : q.poll();
        if (x == null) {
            x = new int[n];
            a.allocatedBytes += 4L * n;
        }
        a.usedInts.add(new Taken<>(x, 4L * n));
        a.took(4L * n);
        return x;
    }

    /**
     * Returns an array to the active arena before the step ends (a gradient already propagated, an
     * activation whose last reader has run), so that a later request reuses it. Returns false, leaving
     * the array alone, when the active arena (if any) did not hand it out.
     */
    public static boolean giveBack(float[] x) {
        Arena a = ACTIVE.get();
        if (a == null || !a.release(a.usedFloats, x)) return false;
        a.freeFloats.computeIfAbsent(x.length, k -> new ArrayDeque<>()).push(x);
        return true;
    }

    public static boolean giveBack(byte[] x) {
        Arena a = ACTIVE.get();
        if (a == null || !a.release(a.usedBytes, x)) return false;
        a.freeBytes.computeIfAbsent(x.length, k -> new ArrayDeque<>()).push(x);
        return true;
    }

    public static boolean giveBack(int[] x) {
        Arena a = ACTIVE.get();
        if (a == null || !a.release(a.usedInts, x)) return false;
        a.freeInts.computeIfAbsent(x.length, k -> new ArrayDeque<>()).push(x);
        return true;
    }

    /** Removes {@code x} (by identity) from {@code used} and stops counting it; false if it is not there. */
    private <A> boolean release(List<Taken<A>> used, A x) {
        // From the end: recently taken arrays are the ones usually given back.
        for (int i = used.size() - 1; i >= 0; i--) {
            if (used.get(i).array() == x) {
                inUseBytes -= used.get(i).bytes();
                int last = used.size() - 1;
                used.set(i, used.get(last));
                used.remove(last);
                return true;
            }
        }
        return false;
    }
}
