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
 * <p>Float arrays are shared across sizes (a {@link Tensor} may use a prefix of its array): the layers
 * of a network come in many sizes, and the temporaries of one layer can reuse the arrays of another.
 * The first step takes, for each request, the smallest free array that holds it, up to {@link #SHARE}
 * times its size, or a new one. Since it records when each request was taken and given back, the
 * arena then plans (see {@link ArenaPlan}) which arrays the same requests of the next steps take,
 * packing requests whose lifetimes do not overlap into one array; it keeps only the planned arrays.
 * A request that differs from the recorded one (another batch size, an inference pass between
 * steps), or whose planned array is still taken, falls back to the smallest free array. Byte and int
 * arrays (spikes, pooling indices) are matched by exact size; their users index them by length.
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

    /** An array handed out, the bytes its request asked for, and (floats) the request's index in the step. */
    private record Taken<A>(A array, long bytes, int request) {}

    private final int padding;
    private final TreeMap<Integer, ArrayDeque<float[]>> freeFloats = new TreeMap<>(); // by length
    private final Map<Integer, ArrayDeque<byte[]>> freeBytes = new HashMap<>();
    private final Map<Integer, ArrayDeque<int[]>> freeInts = new HashMap<>();
    private final List<Taken<float[]>> usedFloats = new ArrayList<>();
    private final List<Taken<byte[]>> usedBytes = new ArrayList<>();
    private final List<Taken<int[]>> usedInts = new ArrayList<>();
    private long allocatedBytes, inUseBytes, peakInUseBytes;
    /** This step's float requests, in order: what the plan is made from. */
    private final ArenaPlan.Recorder recorder = new ArenaPlan.Recorder();

    private ArenaPlan plan; // null until a step has been recorded

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

    /**
     * Everything taken becomes free again: the previous step's arrays are about to be reused. After the
     * first recorded step, the arrays are re-chosen by plan.
     */
    public void reset() {
        for (Taken<float[]> t : usedFloats)
            freeFloats
                    .computeIfAbsent(t.array().length, k -> new ArrayDeque<>())
                    .push(t.array());
        for (Taken<byte[]> t : usedBytes)
            freeBytes.computeIfAbsent(t.array().length, k -> new ArrayDeque<>()).push(t.array());
        for (Taken<int[]> t : usedInts)
            freeInts.computeIfAbsent(t.array().length, k -> new ArrayDeque<>()).push(t.array());
        usedFloats.clear();
        usedBytes.clear();
        usedInts.clear();
        inUseBytes = 0;
        peakInUseBytes = 0;
        if (plan == null && recorder.size() > 0) adoptPlan(ArenaPlan.of(recorder));
        recorder.clear();
    }

    /**
     * Keeps, for each bin of {@code p} (largest first), the smallest free array that holds it if at most
     * {@link #SHARE} times larger, else a new one of its size; lets the others go.
     */
    private void adoptPlan(ArenaPlan p) {
        TreeMap<Integer, ArrayDeque<float[]>> kept = new TreeMap<>();
        for (int bin = 0; bin < p.bins(); bin++) {
            float[] x = smallestFree(p.binSize(bin) + padding);
            p.assign(bin, x);
            kept.computeIfAbsent(x.length, k -> new ArrayDeque<>()).push(x);
        }
        for (ArrayDeque<float[]> unused : freeFloats.values()) for (float[] x : unused) allocatedBytes -= 4L * x.length;
        freeFloats.clear();
        freeFloats.putAll(kept);
        plan = p;
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
        int request = a.recorder.take(n);
        float[] x = a.planned(request, n);
        if (x == null) x = a.smallestFree(n + a.padding);
        if (a.padding > 0) Arrays.fill(x, n, x.length, Float.NaN);
        a.usedFloats.add(new Taken<>(x, 4L * n, request));
        a.took(4L * n);
        return x;
    }

    /**
     * The array the plan gives request {@code request} of {@code n} values, if it is the recorded request and its array
     * is free.
     */
    private float[] planned(int request, int n) {
        float[] x = plan == null ? null : plan.arrayFor(request, n);
        if (x == null) return null;
        ArrayDeque<float[]> q = freeFloats.get(x.length);
        if (q == null || !q.removeFirstOccurrence(x)) return null; // still taken: the step went differently
        if (q.isEmpty()) freeFloats.remove(x.length);
        return x;
    }

    /**
     * The smallest free array of at least {@code want} values and at most {@link #SHARE} times that, else a new one.
     */
    private float[] smallestFree(int want) {
        Map.Entry<Integer, ArrayDeque<float[]>> free = freeFloats.ceilingEntry(want);
        if (free != null && free.getKey() <= (long) SHARE * want) {
            float[] x = free.getValue().pop();
            if (free.getValue().isEmpty()) freeFloats.remove(free.getKey());
            return x;
        }
        allocatedBytes += 4L * want;
        return new float[want];
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
        a.usedBytes.add(new Taken<>(x, n, -1));
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
        a.usedInts.add(new Taken<>(x, 4L * n, -1));
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
        if (a == null) return false;
        int request = a.release(a.usedFloats, x);
        if (request < 0) return false;
        a.recorder.giveBack(request);
        a.freeFloats.computeIfAbsent(x.length, k -> new ArrayDeque<>()).push(x);
        return true;
    }

    public static boolean giveBack(byte[] x) {
        Arena a = ACTIVE.get();
        if (a == null || a.release(a.usedBytes, x) == -2) return false;
        a.freeBytes.computeIfAbsent(x.length, k -> new ArrayDeque<>()).push(x);
        return true;
    }

    public static boolean giveBack(int[] x) {
        Arena a = ACTIVE.get();
        if (a == null || a.release(a.usedInts, x) == -2) return false;
        a.freeInts.computeIfAbsent(x.length, k -> new ArrayDeque<>()).push(x);
        return true;
    }

    /**
     * Removes {@code x} (by identity) from {@code used} and stops counting it; returns its request index
     * (-1 for bytes and ints), or -2 if it is not there.
     */
    private <A> int release(List<Taken<A>> used, A x) {
        // From the end: recently taken arrays are the ones usually given back.
        for (int i = used.size() - 1; i >= 0; i--) {
            Taken<A> t = used.get(i);
            if (t.array() == x) {
                inUseBytes -= t.bytes();
                int last = used.size() - 1;
                used.set(i, used.get(last));
                used.remove(last);
                return t.request();
            }
        }
        return -2;
    }
}
