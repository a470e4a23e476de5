package scn.backend.opencl;

import static org.jocl.CL.CL_CONTEXT_PLATFORM;
import static org.jocl.CL.CL_DEVICE_EXTENSIONS;
import static org.jocl.CL.CL_MEM_OBJECT_ALLOCATION_FAILURE;
import static org.jocl.CL.CL_MEM_READ_WRITE;
import static org.jocl.CL.CL_OUT_OF_HOST_MEMORY;
import static org.jocl.CL.CL_OUT_OF_RESOURCES;
import static org.jocl.CL.CL_PROFILING_COMMAND_END;
import static org.jocl.CL.CL_PROFILING_COMMAND_START;
import static org.jocl.CL.CL_PROGRAM_BUILD_LOG;
import static org.jocl.CL.CL_QUEUE_PROFILING_ENABLE;
import static org.jocl.CL.CL_TRUE;
import static org.jocl.CL.clBuildProgram;
import static org.jocl.CL.clCreateBuffer;
import static org.jocl.CL.clCreateCommandQueue;
import static org.jocl.CL.clCreateContext;
import static org.jocl.CL.clCreateKernel;
import static org.jocl.CL.clCreateProgramWithSource;
import static org.jocl.CL.clEnqueueFillBuffer;
import static org.jocl.CL.clEnqueueNDRangeKernel;
import static org.jocl.CL.clEnqueueReadBuffer;
import static org.jocl.CL.clEnqueueWriteBuffer;
import static org.jocl.CL.clFinish;
import static org.jocl.CL.clGetEventProfilingInfo;
import static org.jocl.CL.clGetProgramBuildInfo;
import static org.jocl.CL.clReleaseCommandQueue;
import static org.jocl.CL.clReleaseContext;
import static org.jocl.CL.clReleaseEvent;
import static org.jocl.CL.clReleaseKernel;
import static org.jocl.CL.clReleaseProgram;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jocl.CL;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_context_properties;
import org.jocl.cl_device_id;
import org.jocl.cl_event;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.jocl.cl_program;
import scn.backend.Device;
import scn.backend.DeviceBuffer;
import scn.backend.DeviceMemoryException;

/**
 * One OpenCL device through JOCL: a context, one in-order command queue (with profiling available),
 * buffers, and a cache of programs built from the {@code opencl/*.cl} resources. Operators
 * ({@code *Cl} classes in this package) get their kernels from here and launch them here.
 *
 * <p>This class does not choose work sizes for operators (each {@code *Cl} entry does, from the limits
 * of its {@link ClKernel}) and never runs anything on the CPU in place of the device.
 *
 * <p>It counts the bytes its buffers hold. A buffer over the device's limits is refused before the driver is asked,
 * and the driver's out-of-memory statuses, which many report only when a buffer is first used, become a
 * {@link DeviceMemoryException} that says what is held of how much, never a bare status code.
 */
public final class ClDevice implements Device {
    private final ClPlatforms.Info info;
    private final cl_context context;
    private final cl_command_queue queue;
    private final Map<String, cl_program> programs = new HashMap<>();
    private final Map<String, ClKernel> kernels = new HashMap<>();
    private final Map<String, ClBuffer> scratch = new HashMap<>();
    private final Set<String> launched = new LinkedHashSet<>();
    private final Map<String, KernelTime> times = new LinkedHashMap<>();
    private final List<Pending> pending = new ArrayList<>();
    private boolean profiling;
    private ClArena arena;
    private long held; // bytes of the buffers allocated here and not yet closed

    private record Pending(String kernel, cl_event event) {}

    // clCreateCommandQueue is deprecated since OpenCL 2.0, but its replacement does not exist on 1.2
    // drivers, and this one still works on every version.
    @SuppressWarnings("deprecation")
    private ClDevice(ClPlatforms.Info info) {
        this.info = info;
        cl_context_properties props = new cl_context_properties();
        props.addProperty(CL_CONTEXT_PLATFORM, info.platformId());
        this.context = clCreateContext(props, 1, new cl_device_id[] {info.deviceId()}, null, null, null);
        this.queue = clCreateCommandQueue(context, info.deviceId(), CL_QUEUE_PROFILING_ENABLE, null);
    }

    /** Opens device {@code index} of {@link ClPlatforms#devices()}; a clear error when there is none. */
    public static ClDevice open(int index) {
        List<ClPlatforms.Info> all = ClPlatforms.devices();
        if (all.isEmpty()) throw new IllegalStateException("opencl:" + index + ": " + ClPlatforms.unavailableReason());
        if (index < 0 || index >= all.size()) {
            throw new IllegalArgumentException("opencl:" + index + ": no such device; " + all.size()
                    + " found (opencl:0.." + (all.size() - 1) + ")");
        }
        return new ClDevice(all.get(index));
    }

    public ClPlatforms.Info info() {
        return info;
    }

    cl_device_id deviceId() {
        return info.deviceId();
    }

    /**
     * Whether the device lists {@code name} (e.g. {@code cl_khr_fp64}) among its extensions: what the kernels
     * see as the macro of that name, so what their {@code #ifdef}s choose.
     */
    public boolean hasExtension(String name) {
        return Arrays.asList(ClPlatforms.deviceString(deviceId(), CL_DEVICE_EXTENSIONS)
                        .split("\\s+"))
                .contains(name);
    }

    @Override
    public String id() {
        return "opencl:" + info.index();
    }

    @Override
    public String describe() {
        return info.describe();
    }

    @Override
    public ClBuffer allocate(DeviceBuffer.Type type, long length) {
        if (length < 0) throw new IllegalArgumentException("opencl: buffer of " + length + " elements");
        long bytes = Math.max(1, length * type.bytes); // zero-sized buffers are invalid in OpenCL
        String refused = refusal(length, bytes, held, info.maxAllocBytes(), info.globalMemBytes());
        if (refused != null) throw new DeviceMemoryException(this + ": " + refused);
        cl_mem mem;
        try {
            mem = clCreateBuffer(context, CL_MEM_READ_WRITE, bytes, null, null);
        } catch (CLException e) {
            throw failure(e, "allocating " + bytes + " bytes");
        }
        held += bytes;
        return new ClBuffer(this, mem, type, length, bytes);
    }

    /**
     * Why a buffer of {@code length} elements ({@code bytes}) cannot be had beside {@code held} bytes on a device of
     * {@code global} bytes that allows {@code maxAlloc} per buffer; null when it can.
     */
    static String refusal(long length, long bytes, long held, long maxAlloc, long global) {
        // Kernels index with 32-bit ints, so no buffer may exceed 2^31 - 1 elements.
        if (length > Integer.MAX_VALUE)
            return "a buffer of " + length + " elements is over the " + Integer.MAX_VALUE + " the kernels can index";
        if (bytes > maxAlloc)
            return "a buffer of " + bytes + " bytes is over the device's limit of " + maxAlloc + " bytes per buffer";
        if (held + bytes > global)
            return bytes + " bytes more do not fit: " + held + " of its " + global + " bytes are held";
        return null;
    }

    /**
     * The exception for a failed OpenCL call while doing {@code what}: the out-of-memory statuses become a
     * {@link DeviceMemoryException} naming what this device holds; any other status comes back as it was.
     */
    RuntimeException failure(CLException e, String what) {
        int s = e.getStatus();
        if (s != CL_MEM_OBJECT_ALLOCATION_FAILURE && s != CL_OUT_OF_RESOURCES && s != CL_OUT_OF_HOST_MEMORY) return e;
        return new DeviceMemoryException(
                this + " ran out of memory " + what + " (" + CL.stringFor_errorCode(s) + "); " + held + " of its "
                        + info.globalMemBytes() + " bytes are held",
                e);
    }

    /** Bytes held by this device's buffers that are not closed (views are part of the buffer they view). */
    public long heldBytes() {
        return held;
    }

    void released(long bytes) {
        held -= bytes;
    }

    /** The arena the autodiff takes this device's activations and gradients from, made on first use. */
    public ClArena arena() {
        if (arena == null) arena = new ClArena(this);
        return arena;
    }

    /** A new float buffer holding a copy of {@code src}. */
    public ClBuffer upload(float[] src) {
        ClBuffer b = allocate(DeviceBuffer.Type.FLOAT32, src.length);
        write(b, src);
        return b;
    }

    public ClBuffer upload(byte[] src) {
        ClBuffer b = allocate(DeviceBuffer.Type.UINT8, src.length);
        write(b, src);
        return b;
    }

    public ClBuffer upload(int[] src) {
        ClBuffer b = allocate(DeviceBuffer.Type.INT32, src.length);
        write(b, src);
        return b;
    }

    /**
     * A device buffer for an operator's temporary data, reused across calls: one per {@code slot} name,
     * grown (never shrunk) to the largest length asked for. Safe because the queue runs in order.
     */
    ClBuffer scratch(String slot, DeviceBuffer.Type type, long length) {
        String key = slot + "/" + type;
        ClBuffer b = scratch.get(key);
        if (b == null || b.length() < length) {
            if (b != null) b.close();
            b = allocate(type, Math.max(length, 1));
            scratch.put(key, b);
        }
        return b;
    }

    @Override
    public void write(DeviceBuffer dst, float[] src) {
        transfer(dst, DeviceBuffer.Type.FLOAT32, src.length, Pointer.to(src), true);
    }

    @Override
    public void write(DeviceBuffer dst, int[] src) {
        transfer(dst, DeviceBuffer.Type.INT32, src.length, Pointer.to(src), true);
    }

    @Override
    public void write(DeviceBuffer dst, byte[] src) {
        transfer(dst, DeviceBuffer.Type.UINT8, src.length, Pointer.to(src), true);
    }

    @Override
    public void read(float[] dst, DeviceBuffer src) {
        transfer(src, DeviceBuffer.Type.FLOAT32, dst.length, Pointer.to(dst), false);
    }

    @Override
    public void read(int[] dst, DeviceBuffer src) {
        transfer(src, DeviceBuffer.Type.INT32, dst.length, Pointer.to(dst), false);
    }

    @Override
    public void read(byte[] dst, DeviceBuffer src) {
        transfer(src, DeviceBuffer.Type.UINT8, dst.length, Pointer.to(dst), false);
    }

    private void transfer(DeviceBuffer buf, DeviceBuffer.Type type, int n, Pointer host, boolean toDevice) {
        ClBuffer b = own(buf);
        if (b.type() != type || b.length() != n) {
            throw new IllegalArgumentException("opencl: " + (toDevice ? "writing " : "reading ") + n + " " + type
                    + " elements " + (toDevice ? "into " : "from ") + b);
        }
        if (n == 0) return;
        long bytes = (long) n * type.bytes;
        // Blocking both ways: the host array may be reused as soon as the call returns.
        try {
            if (toDevice) clEnqueueWriteBuffer(queue, b.mem(), CL_TRUE, 0, bytes, host, 0, null, null);
            else clEnqueueReadBuffer(queue, b.mem(), CL_TRUE, 0, bytes, host, 0, null, null);
        } catch (CLException e) {
            throw failure(e, (toDevice ? "writing " : "reading ") + bytes + " bytes");
        }
    }

    @Override
    public void zero(DeviceBuffer buf) {
        ClBuffer b = own(buf);
        if (b.length() == 0) return;
        byte[] pattern = {0};
        try {
            clEnqueueFillBuffer(queue, b.mem(), Pointer.to(pattern), 1, 0, b.bytes(), 0, null, null);
        } catch (CLException e) {
            throw failure(e, "zeroing " + b.bytes() + " bytes");
        }
    }

    private ClBuffer own(DeviceBuffer buf) {
        if (!(buf instanceof ClBuffer b) || b.device() != this)
            throw new IllegalArgumentException("opencl: " + buf + " does not belong to " + id());
        return b;
    }

    @Override
    public ClKernel kernel(String program, String name, String options) {
        String key = program + "|" + options + "|" + name;
        ClKernel k = kernels.get(key);
        if (k == null) {
            cl_kernel handle;
            try {
                handle = clCreateKernel(program(program, options), name, null);
            } catch (CLException e) {
                throw new IllegalStateException(
                        "opencl: " + program + ".cl has no kernel " + name + " (" + e.getMessage() + ")", e);
            }
            k = new ClKernel(this, handle, name);
            kernels.put(key, k);
        }
        return k;
    }

    /** Builds {@code opencl/<name>.cl} with {@code options} once; a failed build throws with the compiler's log. */
    private cl_program program(String name, String options) {
        String key = name + "|" + options;
        cl_program p = programs.get(key);
        if (p != null) return p;
        String source = source(name);
        p = clCreateProgramWithSource(context, 1, new String[] {source}, null, null);
        try {
            clBuildProgram(p, 1, new cl_device_id[] {deviceId()}, options, null, null);
        } catch (CLException e) {
            String log = buildLog(p);
            clReleaseProgram(p);
            throw new IllegalStateException(
                    "opencl: building " + name + ".cl with options '" + options + "' failed on " + info.name() + " ("
                            + e.getMessage() + "). Build log:\n" + log,
                    e);
        }
        programs.put(key, p);
        return p;
    }

    private String buildLog(cl_program p) {
        long[] size = new long[1];
        clGetProgramBuildInfo(p, deviceId(), CL_PROGRAM_BUILD_LOG, 0, null, size);
        byte[] log = new byte[(int) size[0]];
        clGetProgramBuildInfo(p, deviceId(), CL_PROGRAM_BUILD_LOG, log.length, Pointer.to(log), null);
        return new String(log, StandardCharsets.UTF_8).trim();
    }

    /** The text of a kernel source file packaged under {@code /opencl/}. */
    public static String source(String name) {
        try (InputStream in = ClDevice.class.getResourceAsStream("/opencl/" + name + ".cl")) {
            if (in == null)
                throw new IllegalStateException(
                        "opencl: kernel source opencl/" + name + ".cl is not on the class path");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void enqueue(ClKernel k, long[] global, long[] local) {
        long threads = 1;
        for (long l : local) threads *= l;
        if (threads > k.maxWorkGroupSize()) {
            throw new IllegalStateException(k.name() + ": work-group of " + threads + " exceeds the kernel's limit "
                    + k.maxWorkGroupSize() + " on " + info.name());
        }
        launched.add(k.name());
        cl_event event = profiling ? new cl_event() : null;
        try {
            clEnqueueNDRangeKernel(queue, k.handle(), global.length, null, global, local, 0, null, event);
        } catch (CLException e) {
            throw failure(e, "launching " + k.name());
        }
        if (event != null) pending.add(new Pending(k.name(), event));
    }

    /** Names of every kernel launched on this device since it was opened. */
    public Set<String> launchedKernels() {
        return Collections.unmodifiableSet(launched);
    }

    @Override
    public void finish() {
        try {
            clFinish(queue);
        } catch (CLException e) {
            throw failure(e, "finishing the queue");
        }
    }

    @Override
    public void profile(boolean on) {
        profiling = on;
    }

    @Override
    public Map<String, KernelTime> kernelTimes() {
        finish();
        long[] start = new long[1], end = new long[1];
        for (Pending p : pending) {
            clGetEventProfilingInfo(p.event(), CL_PROFILING_COMMAND_START, Sizeof.cl_ulong, Pointer.to(start), null);
            clGetEventProfilingInfo(p.event(), CL_PROFILING_COMMAND_END, Sizeof.cl_ulong, Pointer.to(end), null);
            clReleaseEvent(p.event());
            times.merge(p.kernel(), new KernelTime(1, end[0] - start[0]), (a, b) -> a.plus(b.nanos()));
        }
        pending.clear();
        return Collections.unmodifiableMap(new LinkedHashMap<>(times));
    }

    @Override
    public void resetKernelTimes() {
        kernelTimes();
        times.clear();
    }

    @Override
    public void close() {
        finish();
        for (Pending p : pending) clReleaseEvent(p.event());
        pending.clear();
        for (ClBuffer b : scratch.values()) b.close();
        if (arena != null) arena.close();
        for (ClKernel k : kernels.values()) clReleaseKernel(k.handle());
        for (cl_program p : programs.values()) clReleaseProgram(p);
        clReleaseCommandQueue(queue);
        clReleaseContext(context);
    }

    @Override
    public String toString() {
        return id() + " " + info.name();
    }
}
