package scn.backend.opencl;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import scn.backend.DeviceBuffer.Type;

/**
 * Recycled device buffers for the activations and gradients of one step, the device's counterpart of
 * {@code scn.tensor.Arena}: {@link #take} serves a buffer of exactly the type and length asked for from
 * those given back, allocating only when none is free, so once a step of a given batch size has run,
 * the next allocates nothing. The autodiff gives a value back as soon as its last reader has run, and
 * {@link #reset} takes back everything still lent at the start of the next step or forward pass.
 *
 * <p>Reuse needs no waiting: the device's queue runs in order, so a launch that writes a buffer taken
 * again runs after every launch that read it before it was given back.
 */
public final class ClArena implements AutoCloseable {
    private record Key(Type type, long length) {}

    private final ClDevice dev;
    private final Map<Key, ArrayDeque<ClBuffer>> free = new HashMap<>();
    private final Map<ClBuffer, Key> lent = new IdentityHashMap<>();
    private final List<ClBuffer> all = new ArrayList<>();

    ClArena(ClDevice dev) {
        this.dev = dev;
    }

    /** A buffer of exactly {@code length} elements of {@code type}; its contents are whatever its last user left. */
    public ClBuffer take(Type type, long length) {
        Key key = new Key(type, length);
        ArrayDeque<ClBuffer> q = free.get(key);
        ClBuffer b = q == null ? null : q.poll();
        if (b == null) {
            b = dev.allocate(type, length);
            all.add(b);
        }
        lent.put(b, key);
        return b;
    }

    /** A zero-filled {@link #take}. */
    public ClBuffer zeros(Type type, long length) {
        ClBuffer b = take(type, length);
        dev.zero(b);
        return b;
    }

    /** Returns {@code b} for reuse; true when it came from here and was lent (else nothing happens). */
    public boolean giveBack(ClBuffer b) {
        Key key = lent.remove(b);
        if (key == null) return false;
        free.computeIfAbsent(key, k -> new ArrayDeque<>()).push(b);
        return true;
    }

    /** Takes back every buffer still lent: what the previous step or pass made is dead. */
    public void reset() {
        for (Map.Entry<ClBuffer, Key> e : lent.entrySet())
            free.computeIfAbsent(e.getValue(), k -> new ArrayDeque<>()).push(e.getKey());
        lent.clear();
    }

    /** Takes back every buffer and frees them all: after a step that did not fit, say. */
    public void trim() {
        reset();
        for (ClBuffer b : all) b.close();
        all.clear();
        free.clear();
    }

    /** Buffers lent and not given back (for tests). */
    public int lentCount() {
        return lent.size();
    }

    /** Bytes of device memory this arena holds, lent or free. */
    public long heldBytes() {
        long n = 0;
        for (ClBuffer b : all) n += b.bytes();
        return n;
    }

    /** Frees every buffer: those free, and those still lent (their users must be gone). */
    @Override
    public void close() {
        for (ClBuffer b : all) b.close();
        all.clear();
        free.clear();
        lent.clear();
    }
}
