package scn.backend;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Wall-clock time per operator kind ({@code conv2d.forward}, {@code plif.backward}, …), switched on by
 * {@code bench --profile}. When off, {@link #start()} returns 0 and {@link #stop} does nothing, so the
 * instrumented operators cost one branch.
 */
public final class Profile {
    private static volatile boolean enabled;
    private static final Map<String, LongAdder> NANOS = new ConcurrentHashMap<>();
    private static final Map<String, LongAdder> CALLS = new ConcurrentHashMap<>();

    private Profile() {}

    public static void enable(boolean on) {
        enabled = on;
    }

    public static void reset() {
        NANOS.clear();
        CALLS.clear();
    }

    public static long start() {
        return enabled ? System.nanoTime() : 0L;
    }

    public static void stop(String kind, long started) {
        if (!enabled) return;
        NANOS.computeIfAbsent(kind, k -> new LongAdder()).add(System.nanoTime() - started);
        CALLS.computeIfAbsent(kind, k -> new LongAdder()).increment();
    }

    /** Total nanoseconds per kind, sorted by name. */
    public static Map<String, long[]> snapshot() {
        Map<String, long[]> out = new TreeMap<>();
        NANOS.forEach((k, v) -> out.put(k, new long[] {v.sum(), CALLS.get(k).sum()}));
        return out;
    }
}
