package scn.backend.opencl;

import static org.jocl.CL.CL_BUFFER_CREATE_TYPE_REGION;
import static org.jocl.CL.CL_MEM_READ_WRITE;
import static org.jocl.CL.clCreateSubBuffer;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jocl.cl_buffer_region;
import scn.backend.DeviceBuffer.Type;

/**
 * Recycled device memory for the activations and gradients of one step, the device's counterpart of
 * {@code scn.tensor.Arena}, with its rule: a request of any type is served from the smallest free block of at least
 * its size and at most {@link #SHARE} times that, else from a new block, and gets a view of exactly its length (an
 * OpenCL sub-buffer at the block's start, which is always aligned). So layers of different sizes share memory, and
 * once a step of a given batch size has run the next allocates nothing. The autodiff gives a value back as soon as
 * its last reader has run, and {@link #reset} takes back everything still lent at the start of the next step or
 * forward pass.
 *
 * <p>Reuse needs no waiting: the device's queue runs in order, so a launch that writes a block taken again runs
 * after every launch that read it before it was given back.
 */
public final class ClArena implements AutoCloseable {
    /**
     * How much larger than a request a reused block may be: as the host arena's (there 2 held least on the training
     * step): a small long-lived value that took a large block would keep it from the large request that comes later.
     */
    static final int SHARE = 2;

    private final ClDevice dev;
    private final TreeMap<Long, ArrayDeque<ClBuffer>> free = new TreeMap<>(); // blocks by bytes
    private final Map<ClBuffer, ClBuffer> lent = new IdentityHashMap<>(); // view → its block
    private final List<ClBuffer> blocks = new ArrayList<>();

    ClArena(ClDevice dev) {
        this.dev = dev;
    }

    /** A buffer of exactly {@code length} elements of {@code type}; its contents are whatever its last user left. */
    public ClBuffer take(Type type, long length) {
        long bytes = Math.max(1, length * type.bytes);
        ClBuffer block = null;
        Map.Entry<Long, ArrayDeque<ClBuffer>> e = free.ceilingEntry(bytes);
        if (e != null && e.getKey() <= SHARE * bytes) {
            block = e.getValue().pop();
            if (e.getValue().isEmpty()) free.remove(e.getKey());
        }
        if (block == null) {
            block = dev.allocate(Type.UINT8, bytes);
            blocks.add(block);
        }
        cl_buffer_region region = new cl_buffer_region(0, bytes);
        ClBuffer view = new ClBuffer(
                dev,
                clCreateSubBuffer(block.mem(), CL_MEM_READ_WRITE, CL_BUFFER_CREATE_TYPE_REGION, region, null),
                type,
                length);
        lent.put(view, block);
        return view;
    }

    /** A zero-filled {@link #take}. */
    public ClBuffer zeros(Type type, long length) {
        ClBuffer b = take(type, length);
        dev.zero(b);
        return b;
    }

    /** Returns {@code b} for reuse; true when it came from here and was lent (else nothing happens). */
    public boolean giveBack(ClBuffer b) {
        ClBuffer block = lent.remove(b);
        if (block == null) return false;
        b.close();
        free.computeIfAbsent(block.bytes(), k -> new ArrayDeque<>()).push(block);
        return true;
    }

    /** Takes back every buffer still lent: what the previous step or pass made is dead. */
    public void reset() {
        for (ClBuffer view : new ArrayList<>(lent.keySet())) giveBack(view);
    }

    /** Takes back every buffer and frees all the memory: after a step that did not fit, say. */
    public void trim() {
        reset();
        for (ClBuffer b : blocks) b.close();
        blocks.clear();
        free.clear();
    }

    /** Buffers lent and not given back (for tests). */
    public int lentCount() {
        return lent.size();
    }

    /** Bytes of device memory this arena holds, lent or free. */
    public long heldBytes() {
        long n = 0;
        for (ClBuffer b : blocks) n += b.bytes();
        return n;
    }

    /** Frees every buffer: those free, and those still lent (their users must be gone). */
    @Override
    public void close() {
        trim();
    }
}
