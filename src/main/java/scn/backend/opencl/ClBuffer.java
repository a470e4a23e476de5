package scn.backend.opencl;

import static org.jocl.CL.clReleaseMemObject;

import org.jocl.cl_mem;
import scn.backend.DeviceBuffer;

/** An OpenCL buffer ({@code cl_mem}) of one element type, owned by the {@link ClDevice} that made it. */
public final class ClBuffer implements DeviceBuffer {
    private final ClDevice device;
    private final Type type;
    private final long length;
    private final long ownedBytes; // device memory this buffer gives back on close; 0 for a view of another's
    private cl_mem mem;

    /** A buffer that owns {@code ownedBytes} of device memory, counted in {@link ClDevice#heldBytes} until closed. */
    ClBuffer(ClDevice device, cl_mem mem, Type type, long length, long ownedBytes) {
        this.device = device;
        this.mem = mem;
        this.type = type;
        this.length = length;
        this.ownedBytes = ownedBytes;
    }

    /** A view of memory another buffer owns (an OpenCL sub-buffer). */
    ClBuffer(ClDevice device, cl_mem mem, Type type, long length) {
        this(device, mem, type, length, 0);
    }

    public ClDevice device() {
        return device;
    }

    @Override
    public Type type() {
        return type;
    }

    @Override
    public long length() {
        return length;
    }

    cl_mem mem() {
        if (mem == null) throw new IllegalStateException("opencl: " + this + " was used after close()");
        return mem;
    }

    /** Checks, at an operator's boundary, that this buffer holds at least {@code n} elements of {@code t}. */
    ClBuffer require(String op, String arg, Type t, long n) {
        if (type != t) throw new IllegalArgumentException(op + ": " + arg + " is " + type + ", expected " + t);
        if (length < n)
            throw new IllegalArgumentException(op + ": " + arg + " holds " + length + " elements, needs " + n);
        return this;
    }

    @Override
    public void close() {
        if (mem != null) {
            clReleaseMemObject(mem);
            mem = null;
            device.released(ownedBytes);
        }
    }

    @Override
    public String toString() {
        return "ClBuffer[" + type + " x " + length + "]";
    }
}
