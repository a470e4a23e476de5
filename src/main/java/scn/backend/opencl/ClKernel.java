package scn.backend.opencl;

import static org.jocl.CL.CL_KERNEL_WORK_GROUP_SIZE;
import static org.jocl.CL.clGetKernelWorkGroupInfo;
import static org.jocl.CL.clSetKernelArg;

import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_kernel;
import scn.backend.Device;

/**
 * One compiled OpenCL kernel with the size limits the device reported for it. Launch sizes are
 * chosen here from {@link #maxWorkGroupSize()} (never above {@code CL_KERNEL_WORK_GROUP_SIZE}).
 */
public final class ClKernel implements Device.Kernel {
    /** The local size 1-D kernels prefer: a multiple of NVIDIA's 32-wide warp and AMD's 64-wide wavefront. */
    static final int PREFERRED_LOCAL = 256;

    private final ClDevice device;
    private final cl_kernel kernel;
    private final String name;
    private final int maxWorkGroupSize;

    ClKernel(ClDevice device, cl_kernel kernel, String name) {
        this.device = device;
        this.kernel = kernel;
        this.name = name;
        long[] wg = new long[1];
        clGetKernelWorkGroupInfo(
                kernel, device.deviceId(), CL_KERNEL_WORK_GROUP_SIZE, Sizeof.size_t, Pointer.to(wg), null);
        this.maxWorkGroupSize = (int) Math.min(Integer.MAX_VALUE, wg[0]);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int maxWorkGroupSize() {
        return maxWorkGroupSize;
    }

    cl_kernel handle() {
        return kernel;
    }

    /** A 1-D local size: 256 where allowed, else the largest multiple of 32 (or power of two) that fits. */
    int local1d() {
        int cap = Math.min(PREFERRED_LOCAL, maxWorkGroupSize);
        return cap >= 32 ? cap / 32 * 32 : Integer.highestOneBit(cap);
    }

    /** A power-of-two local size for tree reductions, at most 256 and within the kernel's limit. */
    int localPow2() {
        return Integer.highestOneBit(Math.min(PREFERRED_LOCAL, maxWorkGroupSize));
    }

    /** One work-item per element of {@code n}, global size rounded up to the local size (kernels bound-check). */
    void launch1d(long n, Object... args) {
        if (n == 0) return;
        int local = local1d();
        launch(new long[] {roundUp(n, local)}, new long[] {local}, args);
    }

    static long roundUp(long n, long multiple) {
        return (n + multiple - 1) / multiple * multiple;
    }

    @Override
    public void launch(long[] global, long[] local, Object... args) {
        for (int i = 0; i < args.length; i++) setArg(i, args[i]);
        device.enqueue(this, global, local);
    }

    private void setArg(int i, Object a) {
        switch (a) {
            case null -> clSetKernelArg(kernel, i, Sizeof.cl_mem, null);
            case ClBuffer b -> {
                if (b.device() != device)
                    throw new IllegalArgumentException(name + ": argument " + i + " lives on another device");
                clSetKernelArg(kernel, i, Sizeof.cl_mem, Pointer.to(b.mem()));
            }
            case Integer v -> clSetKernelArg(kernel, i, Sizeof.cl_int, Pointer.to(new int[] {v}));
            case Long v -> clSetKernelArg(kernel, i, Sizeof.cl_long, Pointer.to(new long[] {v}));
            case Float v -> clSetKernelArg(kernel, i, Sizeof.cl_float, Pointer.to(new float[] {v}));
            case Device.Local l -> clSetKernelArg(kernel, i, l.bytes(), null);
            default ->
                throw new IllegalArgumentException(name + ": argument " + i + " has unsupported type "
                        + a.getClass().getName());
        }
    }
}
