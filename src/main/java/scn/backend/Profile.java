package scn.backend;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Wall-clock time per operator kind ({@code conv_3x3.forward}, {@code plif.backward}, …) and per layer, switched on
 * by {@code bench --profile}. The kernels' dispatchers in {@code scn.ops} time themselves; the model names the layer
 * it is in ({@link #enterLayer}), and the tape names it again for each layer's backward ({@link #enterBackward}), so
 * that the operators need no profiling code. When off, {@link #start()} returns 0 and {@link #stop} does nothing, so
 * the instrumented dispatchers cost one branch.
 */
public final class Profile {
    private static volatile boolean enabled;
    private static final Map<String, LongAdder> NANOS = new ConcurrentHashMap<>();
    private static final Map<String, LongAdder> CALLS = new ConcurrentHashMap<>();
    private static final Map<String, LongAdder> LAYER_NANOS = new ConcurrentHashMap<>();
    private static final ThreadLocal<Where> WHERE = ThreadLocal.withInitial(Where::new);

    /** The layer this thread's operators run for, and whether they run for its backward pass. */
    private static final class Where {
        String layer = "-";
        boolean backward;
    }

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
        Where w = WHERE.get();
        String previous = w.layer;
        w.layer = name;
        return previous;
    }

    /** The current layer name: the tape keeps it with each operator, to charge its backward to the same layer. */
    public static String layer() {
        return WHERE.get().layer;
    }

    /**
     * Names the layer whose backward runs next (the tape sets it for each recorded operator); a forward kernel run
     * until {@link #leaveBackward} is a recomputation. Returns the previous layer.
     */
    public static String enterBackward(String name) {
        WHERE.get().backward = true;
        return enterLayer(name);
    }

    /** Ends {@link #enterBackward}, back in layer {@code previous}. */
    public static void leaveBackward(String previous) {
        WHERE.get().backward = false;
        enterLayer(previous);
    }

    public static long start() {
        return enabled ? System.nanoTime() : 0L;
    }

    /** Charges the time since {@code started} to operator {@code kind} and to the current layer. */
    public static void stop(String kind, long started) {
        if (!enabled) return;
        long dt = System.nanoTime() - started;
        NANOS.computeIfAbsent(kind, k -> new LongAdder()).add(dt);
        CALLS.computeIfAbsent(kind, k -> new LongAdder()).increment();
        LAYER_NANOS.computeIfAbsent(WHERE.get().layer, k -> new LongAdder()).add(dt);
    }

    /** As {@link #stop(String, long)} for {@code op.part}; the name is formed only when profiling is on. */
    public static void stop(String op, String part, long started) {
        if (enabled) stop(op + "." + part, started);
    }

    /** A forward kernel's time: {@code op.forward}, or {@code op.recompute} when a backward runs it again. */
    public static void stopForward(String op, long started) {
        if (enabled) stop(op, WHERE.get().backward ? "recompute" : "forward", started);
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
