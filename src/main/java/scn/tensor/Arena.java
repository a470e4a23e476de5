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
 * <p>Contract: arrays taken from an arena are valid until the next {@link #reset()}; whoever keeps a
 * result longer copies it. Operators call {@link #floats}, {@link #bytes} and {@link #ints} through
 * the thread's active arena, or get fresh arrays when none is active.
 */
public final class Arena {
    private static final ThreadLocal<Arena> ACTIVE = new ThreadLocal<>();

    private final Map<Integer, ArrayDeque<float[]>> freeFloats = new HashMap<>();
    private final Map<Integer, ArrayDeque<byte[]>> freeBytes = new HashMap<>();
    private final Map<Integer, ArrayDeque<int[]>> freeInts = new HashMap<>();
    private final List<float[]> usedFloats = new ArrayList<>();
    private final List<byte[]> usedBytes = new ArrayList<>();
    private final List<int[]> usedInts = new ArrayList<>();
    private long allocatedBytes;

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
    }

    /** Bytes this arena has allocated in all (stops growing once a step has run). */
    public long allocatedBytes() {
        return allocatedBytes;
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
        return x;
    }

    /** Returns a float array to the active arena before the step ends (an intermediate gradient already propagated). */
    public static void giveBack(float[] x) {
        Arena a = ACTIVE.get();
        if (a == null) return;
        // Identity search from the end: recently taken arrays are the ones given back.
        for (int i = a.usedFloats.size() - 1; i >= 0; i--) {
            if (a.usedFloats.get(i) == x) {
                int last = a.usedFloats.size() - 1;
                a.usedFloats.set(i, a.usedFloats.get(last));
                a.usedFloats.remove(last);
                a.freeFloats.computeIfAbsent(x.length, k -> new ArrayDeque<>()).push(x);
                return;
            }
        }
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
        return x;
    }
}
