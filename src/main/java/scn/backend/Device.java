package scn.backend;

import java.util.Map;

/**
 * An accelerator the engine can run operators on: an allocator, a compiler and a launcher, nothing
 * more. Operators for a device live in their own package ({@code scn.backend.opencl}) and take its
 * buffers; there is no automatic placement and no fallback to the CPU: an operator a device lacks is
 * an error where it is called.
 *
 * <p>A device and its buffers are used from one thread at a time; commands run in the order they
 * were issued, so a buffer written by one launch may be read by the next without waiting.
 */
public interface Device extends AutoCloseable {
    /** The selector that chose this device, e.g. {@code opencl:0}. */
    String id();

    /** One line for the start-up log: id, name, vendor, version and the main limits. */
    String describe();

    /** A new buffer of {@code length} elements; its contents are undefined until written. */
    DeviceBuffer allocate(DeviceBuffer.Type type, long length);

    void write(DeviceBuffer dst, float[] src);

    void write(DeviceBuffer dst, int[] src);

    void write(DeviceBuffer dst, byte[] src);

    /** Blocking reads of the whole buffer; lengths must match. */
    void read(float[] dst, DeviceBuffer src);

    void read(int[] dst, DeviceBuffer src);

    void read(byte[] dst, DeviceBuffer src);

    /** Sets every byte of {@code buf} to zero. */
    void zero(DeviceBuffer buf);

    /** A compiled kernel, built from the named program source once and cached with its build options. */
    Kernel kernel(String program, String name, String options);

    /** Waits until every command issued so far has finished. */
    void finish();

    /** Turns per-kernel timing (profiling events) on or off; off costs nothing per launch. */
    void profile(boolean on);

    /** Device time per kernel name since the last reset, in the order first launched; waits for pending work. */
    Map<String, KernelTime> kernelTimes();

    void resetKernelTimes();

    @Override
    void close();

    /**
     * A kernel ready to launch: arguments are buffers (null for an absent one), boxed ints, longs, floats or {@link
     * Local}.
     */
    interface Kernel {
        String name();

        /** The most work-items one work-group of this kernel may have on this device. */
        int maxWorkGroupSize();

        void launch(long[] global, long[] local, Object... args);
    }

    /** A work-group-local memory argument of {@code bytes} bytes. */
    record Local(long bytes) {}

    /** How often a kernel ran and how long it took on the device in total. */
    record KernelTime(long launches, long nanos) {
        public KernelTime plus(long ns) {
            return new KernelTime(launches + 1, nanos + ns);
        }
    }
}
