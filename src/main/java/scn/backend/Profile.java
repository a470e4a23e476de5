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
    private static final Map<String, LongAdder> LAYER_NANOS = new ConcurrentHashMap<>();
    private static final ThreadLocal<String> LAYER = ThreadLocal.withInitial(() -> "-");

    private Profile() {}

    public static void enable(boolean on) {
        enabled = on;
    }

    public static void reset() {
        NANOS.clear();
        CALLS.clear();
        LAYER_NANOS.clear();
    }

    /** Names the layer whose operators run next (the model sets it as it goes); returns the previous one. */
    public static String enterLayer(String name) {
        String previous = LAYER.get();
        LAYER.set(name);
        return previous;
    }

    /** The current layer name: operators capture it when they run forward, to charge their backward to it. */
    public static String layer() {
        return LAYER.get();
    }

    public static long start() {
        return enabled ? System.nanoTime() : 0L;
    }

    public static void stop(String kind, long started) {
        stop(LAYER.get(), kind, started);
    }

    /** Charges the time since {@code started} to operator {@code kind} and to {@code layer}. */
    public static void stop(String layer, String kind, long started) {
        if (!enabled) return;
        long dt = System.nanoTime() - started;
        NANOS.computeIfAbsent(kind, k -> new LongAdder()).add(dt);
        CALLS.computeIfAbsent(kind, k -> new LongAdder()).increment();
        LAYER_NANOS.computeIfAbsent(layer, k -> new LongAdder()).add(dt);
    }

    /** Total nanoseconds per layer (forward and backward together), sorted by name. */
    public static Map<String, Long> layers() {
        Map<String, Long> out = new TreeMap<>();
        LAYER_NANOS.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    /** Total nanoseconds per kind, sorted by name. */
    public static Map<String, long[]> snapshot() {
        Map<String, long[]> out = new TreeMap<>();
        NANOS.forEach((k, v) -> out.put(k, new long[] {v.sum(), CALLS.get(k).sum()}));
        return out;
    }
}
