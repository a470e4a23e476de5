package scn.backend;

import scn.backend.opencl.ClDevice;

/**
 * Chooses an accelerator from its selector string and says so once on standard error. The CPU is not
 * a {@link Device}: it runs the {@code scn.ops} operators directly ({@link Kernels}), so callers handle
 * {@code cpu} before asking here.
 */
public final class Devices {
    private Devices() {}

    /** Opens {@code opencl} (the first OpenCL device) or {@code opencl:N}; anything else is an error naming the choices. */
    public static Device open(String spec) {
        String s = spec.trim().toLowerCase(java.util.Locale.ROOT);
        Device d;
        if (s.equals("opencl")) {
            d = ClDevice.open(0);
        } else if (s.startsWith("opencl:")) {
            int index;
            try {
                index = Integer.parseInt(s.substring("opencl:".length()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("device '" + spec + "': the index after 'opencl:' must be a number (see engine devices)");
            }
            d = ClDevice.open(index);
        } else {
            throw new IllegalArgumentException("device '" + spec + "' is not an accelerator; expected opencl or opencl:N (see engine devices)");
        }
        System.err.println("device: " + d.describe());
        return d;
    }
}
