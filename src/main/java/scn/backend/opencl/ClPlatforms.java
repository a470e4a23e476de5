package scn.backend.opencl;

import static org.jocl.CL.CL_DEVICE_GLOBAL_MEM_SIZE;
import static org.jocl.CL.CL_DEVICE_LOCAL_MEM_SIZE;
import static org.jocl.CL.CL_DEVICE_MAX_COMPUTE_UNITS;
import static org.jocl.CL.CL_DEVICE_MAX_MEM_ALLOC_SIZE;
import static org.jocl.CL.CL_DEVICE_MAX_WORK_GROUP_SIZE;
import static org.jocl.CL.CL_DEVICE_NAME;
import static org.jocl.CL.CL_DEVICE_TYPE_ALL;
import static org.jocl.CL.CL_DEVICE_VENDOR;
import static org.jocl.CL.CL_DEVICE_VERSION;
import static org.jocl.CL.CL_DRIVER_VERSION;
import static org.jocl.CL.CL_PLATFORM_NAME;
import static org.jocl.CL.clGetDeviceIDs;
import static org.jocl.CL.clGetDeviceInfo;
import static org.jocl.CL.clGetPlatformIDs;
import static org.jocl.CL.clGetPlatformInfo;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jocl.CL;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;

/**
 * OpenCL discovery: every device of every platform, numbered in one flat list in platform order, which
 * is what {@code opencl:N} selects. A machine without an ICD loader or without platforms yields an
 * empty list and a reason ({@link #unavailableReason()}), never an exception.
 */
public final class ClPlatforms {
    private ClPlatforms() {}

    /** What {@code engine devices} prints about one device, and what selection needs to create it. */
    public record Info(
            int index,
            String platform,
            String name,
            String vendor,
            String version,
            String driver,
            int computeUnits,
            long globalMemBytes,
            long localMemBytes,
            long maxAllocBytes,
            long maxWorkGroupSize,
            cl_platform_id platformId,
            cl_device_id deviceId) {
        public String describe() {
            return "opencl:" + index + " " + name + " (" + vendor + ", " + version + ", driver " + driver
                    + ", platform " + platform
                    + "): " + computeUnits + " compute units, " + mib(globalMemBytes) + " MiB global, "
                    + (localMemBytes / 1024)
                    + " KiB local, max alloc " + mib(maxAllocBytes) + " MiB, max work-group " + maxWorkGroupSize;
        }

        private static long mib(long bytes) {
            return bytes >> 20;
        }
    }

    private static volatile String unavailable;

    /** All OpenCL devices, or an empty list when the loader or the platforms are missing. */
    public static synchronized List<Info> devices() {
        List<Info> out = new ArrayList<>();
        try {
            CL.setExceptionsEnabled(true);
            int[] count = new int[1];
            clGetPlatformIDs(0, null, count);
            cl_platform_id[] platforms = new cl_platform_id[count[0]];
            clGetPlatformIDs(platforms.length, platforms, null);
            for (cl_platform_id p : platforms) {
                String pName = platformString(p, CL_PLATFORM_NAME);
                int[] nd = new int[1];
                try {
                    clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, 0, null, nd);
                } catch (CLException e) {
                    continue; // a platform with no devices reports CL_DEVICE_NOT_FOUND
                }
                cl_device_id[] ds = new cl_device_id[nd[0]];
                clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, ds.length, ds, null);
                for (cl_device_id d : ds) {
                    out.add(new Info(
                            out.size(),
                            pName,
                            deviceString(d, CL_DEVICE_NAME),
                            deviceString(d, CL_DEVICE_VENDOR),
                            deviceString(d, CL_DEVICE_VERSION),
                            deviceString(d, CL_DRIVER_VERSION),
                            (int) deviceLong(d, CL_DEVICE_MAX_COMPUTE_UNITS, Sizeof.cl_uint),
                            deviceLong(d, CL_DEVICE_GLOBAL_MEM_SIZE, Sizeof.cl_ulong),
                            deviceLong(d, CL_DEVICE_LOCAL_MEM_SIZE, Sizeof.cl_ulong),
                            deviceLong(d, CL_DEVICE_MAX_MEM_ALLOC_SIZE, Sizeof.cl_ulong),
                            deviceLong(d, CL_DEVICE_MAX_WORK_GROUP_SIZE, Sizeof.size_t),
                            p,
                            d));
                }
            }
            unavailable = out.isEmpty() ? "no OpenCL platform with a device was found" : null;
        } catch (UnsatisfiedLinkError e) {
            // JOCL found no libOpenCL.so: say which package brings it.
            unavailable = withAdvice("OpenCL is not available: " + e.getMessage());
            out.clear();
        } catch (CLException e) {
            // An ICD loader with no vendor files (CL_PLATFORM_NOT_FOUND_KHR).
            unavailable = "OpenCL is not available: " + e.getMessage();
            out.clear();
        } catch (NoClassDefFoundError e) {
            // A missing libOpenCL.so fails JOCL's class initialiser: the UnsatisfiedLinkError above on the
            // first call, this on every later one, whose message no longer says why; the first reason stands.
            if (unavailable == null) unavailable = withAdvice("OpenCL is not available: " + e.getMessage());
            out.clear();
        }
        return out;
    }

    private static String withAdvice(String reason) {
        String advice = ClLoader.advice();
        return advice.isEmpty() ? reason : reason + "; " + advice;
    }

    /** Why {@link #devices()} was empty the last time it ran, or null when it found devices. */
    public static String unavailableReason() {
        return unavailable;
    }

    static String platformString(cl_platform_id p, int param) {
        long[] size = new long[1];
        clGetPlatformInfo(p, param, 0, null, size);
        byte[] b = new byte[(int) size[0]];
        clGetPlatformInfo(p, param, b.length, Pointer.to(b), null);
        return cString(b);
    }

    static String deviceString(cl_device_id d, int param) {
        long[] size = new long[1];
        clGetDeviceInfo(d, param, 0, null, size);
        byte[] b = new byte[(int) size[0]];
        clGetDeviceInfo(d, param, b.length, Pointer.to(b), null);
        return cString(b);
    }

    /** An unsigned integer device property of {@code width} bytes (cl_uint, cl_ulong or size_t). */
    static long deviceLong(cl_device_id d, int param, int width) {
        long[] v = new long[1];
        if (width == Sizeof.cl_uint) {
            int[] i = new int[1];
            clGetDeviceInfo(d, param, width, Pointer.to(i), null);
            return Integer.toUnsignedLong(i[0]);
        }
        clGetDeviceInfo(d, param, width, Pointer.to(v), null);
        return v[0];
    }

    private static String cString(byte[] b) {
        int n = 0;
        while (n < b.length && b[n] != 0) n++;
        return new String(b, 0, n, StandardCharsets.UTF_8).trim();
    }
}
