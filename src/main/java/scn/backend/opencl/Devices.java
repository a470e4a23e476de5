package scn.backend.opencl;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import scn.backend.Device;
import scn.backend.Kernels;

/**
 * Chooses where a command computes from its selector string ({@code cpu}, {@code opencl} or
 * {@code opencl:N}) and says so once on standard error. The CPU is not a {@link Device}: it runs the
 * {@code scn.ops} operators directly ({@link Kernels}), so callers handle {@code cpu} before asking
 * {@link #open} and announce it with {@link #logCpu}.
 *
 * <p>It lives beside {@link ClDevice}, the one {@link Device} it opens, rather than in {@code scn.backend}: there it
 * would make the backend's core and its OpenCL implementation import each other.
 */
public final class Devices {
    public static final String CPU = "cpu";

    private Devices() {}

    /**
     * The devices of a list such as {@code opencl:0,opencl:1} (one per data-parallel replica in turn), each checked
     * as {@link #openClIndex} checks it; a single selector is a list of one.
     */
    public static List<String> list(String spec) {
        List<String> out = new ArrayList<>();
        for (String s : spec.split(",", -1)) {
            String d = s.trim();
            if (d.isEmpty()) throw new IllegalArgumentException("device list '" + spec + "' has an empty entry");
            openClIndex(d);
            out.add(d);
        }
        return out;
    }

    /** The device of replica {@code rank} in the list {@code spec}: the list's entries in turn. */
    public static String forReplica(String spec, int rank) {
        List<String> all = list(spec);
        return all.get(rank % all.size());
    }

    /** Whether {@code spec} selects the CPU. */
    public static boolean isCpu(String spec) {
        return spec.trim().equalsIgnoreCase(CPU);
    }

    /**
     * The OpenCL device index {@code spec} selects ({@code opencl} is 0), or -1 for {@code cpu};
     * anything else is an error naming the choices. Checks the spelling only, not that the device exists.
     */
    public static int openClIndex(String spec) {
        String s = spec.trim().toLowerCase(Locale.ROOT);
        if (s.equals(CPU)) return -1;
        if (s.equals("opencl")) return 0;
        if (s.startsWith("opencl:")) {
            try {
                int index = Integer.parseInt(s.substring("opencl:".length()));
                if (index >= 0) return index;
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException(
                    "device '" + spec + "': the index after 'opencl:' must be a number >= 0 (see engine devices)");
        }
        throw new IllegalArgumentException(
                "device '" + spec + "' is unknown; expected cpu, opencl or opencl:N (see engine devices)");
    }

    /**
     * Opens {@code opencl} (the first OpenCL device) or {@code opencl:N} and logs it; {@code cpu} or anything else is
     * an error.
     */
    public static Device open(String spec) {
        int index = openClIndex(spec);
        if (index < 0)
            throw new IllegalArgumentException(
                    "device '" + spec + "' is not an accelerator; expected opencl or opencl:N (see engine devices)");
        Device d = ClDevice.open(index);
        System.err.println("device: " + d.describe());
        return d;
    }

    /** Opens an OpenCL device as {@link #open} does, as the OpenCL type the device network needs. */
    public static ClDevice openCl(String spec) {
        Device d = open(spec);
        if (d instanceof ClDevice cl) return cl;
        d.close();
        throw new IllegalArgumentException("device '" + spec + "' is not an OpenCL device");
    }

    /** The start-up line for a command that computes on the CPU. */
    public static void logCpu() {
        System.err.println("device: " + Kernels.describe());
    }
}
