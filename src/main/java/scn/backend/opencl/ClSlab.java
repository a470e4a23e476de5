package scn.backend.opencl;

import static org.jocl.CL.CL_BUFFER_CREATE_TYPE_REGION;
import static org.jocl.CL.CL_DEVICE_MEM_BASE_ADDR_ALIGN;
import static org.jocl.CL.CL_MEM_READ_WRITE;
import static org.jocl.CL.clCreateSubBuffer;
import static org.jocl.CL.clGetDeviceInfo;

import java.util.ArrayList;
import java.util.List;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_buffer_region;
import scn.backend.DeviceBuffer.Type;

/**
 * Many float arrays in one device buffer: each part starts at an offset aligned for OpenCL sub-buffers
 * ({@code CL_DEVICE_MEM_BASE_ADDR_ALIGN}) and is reachable as its own {@link ClBuffer}, so per-tensor
 * operators take it like any buffer, while whole-slab work (zeroing every gradient, the sum of squares
 * of the gradient norm, one optimiser launch over a range of parts) is one command.
 *
 * <p>The gaps between parts belong to no part; {@link #create} zeroes the whole slab so they hold zeros,
 * which the slab-wide operations above leave as zeros. Slabs made from the same lengths on the same
 * device share one layout, so part {@code i} of a value slab and of a gradient slab line up.
 */
public final class ClSlab implements AutoCloseable {
    private final ClBuffer whole;
    private final long[] offsets, lengths;
    private final List<ClBuffer> views = new ArrayList<>();
    private final ClBuffer[] partViews;

    private ClSlab(ClBuffer whole, long[] offsets, long[] lengths) {
        this.whole = whole;
        this.offsets = offsets;
        this.lengths = lengths;
        this.partViews = new ClBuffer[lengths.length];
    }

    /** A zero-filled slab with one part per entry of {@code lengths} (floats). */
    public static ClSlab create(ClDevice dev, long[] lengths) {
        long align = alignFloats(dev);
        long[] offsets = new long[lengths.length];
        long at = 0;
        for (int i = 0; i < lengths.length; i++) {
            offsets[i] = at;
            at = ClKernel.roundUp(at + Math.max(1, lengths[i]), align);
        }
        ClSlab s = new ClSlab(dev.allocate(Type.FLOAT32, at), offsets, lengths.clone());
        dev.zero(s.whole);
        return s;
    }

    /** Sub-buffer origins must be multiples of the device's base-address alignment (given in bits). */
    private static long alignFloats(ClDevice dev) {
        int[] bits = new int[1];
        clGetDeviceInfo(dev.deviceId(), CL_DEVICE_MEM_BASE_ADDR_ALIGN, Sizeof.cl_uint, Pointer.to(bits), null);
        return Math.max(1, bits[0] / 8 / Float.BYTES);
    }

    /** The whole slab, gaps included. */
    public ClBuffer whole() {
        return whole;
    }

    public int parts() {
        return lengths.length;
    }

    /** Part {@code i} as a buffer of exactly its length (made once); closed with the slab. */
    public ClBuffer part(int i) {
        if (partViews[i] == null) partViews[i] = range(i, i + 1);
        return partViews[i];
    }

    /** Parts {@code from..to-1} and the gaps between them as one new buffer; closed with the slab. */
    public ClBuffer range(int from, int to) {
        if (from < 0 || to > lengths.length || from >= to)
            throw new IllegalArgumentException("slab: parts " + from + ".." + to + " of " + lengths.length);
        long start = offsets[from], length = offsets[to - 1] + lengths[to - 1] - start;
        cl_buffer_region region = new cl_buffer_region(start * Float.BYTES, Math.max(1, length) * Float.BYTES);
        ClBuffer b = new ClBuffer(
                whole.device(),
                clCreateSubBuffer(whole.mem(), CL_MEM_READ_WRITE, CL_BUFFER_CREATE_TYPE_REGION, region, null),
                Type.FLOAT32,
                length);
        views.add(b);
        return b;
    }

    /**
     * The first {@code length} elements of {@code parent} as a buffer of exactly that length (origin 0 is
     * always aligned): a layer's view of a shared workspace. The caller closes it; the parent outlives it.
     */
    public static ClBuffer prefix(ClBuffer parent, long length) {
        if (length < 1 || length > parent.length())
            throw new IllegalArgumentException("slab: prefix of " + length + " elements of " + parent);
        cl_buffer_region region = new cl_buffer_region(0, length * parent.type().bytes);
        return new ClBuffer(
                parent.device(),
                clCreateSubBuffer(parent.mem(), CL_MEM_READ_WRITE, CL_BUFFER_CREATE_TYPE_REGION, region, null),
                parent.type(),
                length);
    }

    @Override
    public void close() {
        for (ClBuffer b : views) b.close();
        views.clear();
        whole.close();
    }
}
