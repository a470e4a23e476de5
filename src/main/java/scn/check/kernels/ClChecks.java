package scn.check.kernels;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import scn.backend.Device;
import scn.backend.DeviceBuffer;
import scn.backend.opencl.ClBuffer;
import scn.backend.opencl.ClDevice;

/**
 * The kernel twins checked: every OpenCL entry ({@code *Cl} class) runs against its CPU reference on
 * small odd shapes ({@link ClCheckCases}), and each result is compared elementwise with
 * {@code |got − ref| ≤ atol + rtol·|ref|}. Used by {@code engine check-kernels} and by the tests.
 *
 * <p>Besides the per-check results, a run reports coverage: which Java entries the checks named, and
 * which kernels of the program sources were never launched (each of those is a failure).
 *
 * <p>The harness sits above the backend, not in {@code scn.backend.opencl}: its references are the CPU operators,
 * the autodiff, the CenterNet loss and the distillation term, which the runtime must not import.
 */
public final class ClChecks {
    /**
     * Every kernel source in {@code src/main/opencl}, without the {@code .cl} suffix (a test keeps this list in step
     * with the folder).
     */
    public static final List<String> PROGRAMS = List.of(
            "gemm",
            "conv2d",
            "batchnorm2d",
            "plif",
            "maxpool2d",
            "upsample2x",
            "concat",
            "elementwise",
            "adamw",
            "channelbias",
            "centernetloss",
            "gradnorm",
            "distillation",
            "energy");

    /** One check: the worst error, the tolerance, the device time of its kernels (profiling events) and any failure. */
    public record Result(String name, double maxAbsErr, double atol, double rtol, long deviceNanos, String failure) {
        public boolean ok() {
            return failure == null;
        }
    }

    /** All results plus coverage: entries named by the checks, kernels declared in the sources and kernels launched. */
    public record Report(
            List<Result> results,
            Set<String> coveredEntries,
            Set<String> declaredKernels,
            Set<String> launchedKernels,
            Map<String, Device.KernelTime> kernelTimes) {
        public List<String> unlaunchedKernels() {
            List<String> out = new ArrayList<>();
            for (String k : declaredKernels) if (!launchedKernels.contains(k)) out.add(k);
            return out;
        }

        public boolean ok() {
            return results.stream().allMatch(Result::ok) && unlaunchedKernels().isEmpty();
        }
    }

    private static final Pattern KERNEL =
            Pattern.compile("__kernel\\s+(?:__attribute__\\s*\\(\\(.*?\\)\\)\\s*)?void\\s+(\\w+)\\s*\\(");

    final ClDevice dev;
    private final List<Result> results = new ArrayList<>();
    private final Set<String> covered = new LinkedHashSet<>();
    private final SplittableRandom random = new SplittableRandom(20240201);
    private final List<ClBuffer> live = new ArrayList<>();
    private final Map<String, Device.KernelTime> totals = new LinkedHashMap<>();

    private ClChecks(ClDevice dev) {
        this.dev = dev;
    }

    /** Runs every check on {@code dev}, with profiling on, and reports. */
    public static Report run(ClDevice dev) {
        ClChecks c = new ClChecks(dev);
        dev.profile(true);
        try {
            ClCheckCases.all(c);
        } finally {
            dev.profile(false);
        }
        return new Report(
                List.copyOf(c.results),
                Set.copyOf(c.covered),
                declaredKernels(),
                Set.copyOf(dev.launchedKernels()),
                Collections.unmodifiableMap(c.totals));
    }

    /** The names of every {@code __kernel} in {@link #PROGRAMS}, read from the packaged sources. */
    public static Set<String> declaredKernels() {
        Set<String> names = new LinkedHashSet<>();
        for (String p : PROGRAMS) {
            Matcher m = KERNEL.matcher(ClDevice.source(p));
            while (m.find()) names.add(m.group(1));
        }
        return names;
    }

    /**
     * Runs {@code body}, which returns pairs {@code {ref, got}} of arrays, and records the comparison.
     * {@code entries} are the {@code Class.method} names of the OpenCL entries it exercises.
     */
    void check(String name, double atol, double rtol, List<String> entries, Supplier<float[][]> body) {
        covered.addAll(entries);
        dev.resetKernelTimes();
        double worst = 0;
        String failure = null;
        try {
            float[][] pairs = body.get();
            for (int p = 0; p + 1 < pairs.length && failure == null; p += 2) {
                float[] ref = pairs[p], got = pairs[p + 1];
                if (ref.length != got.length) {
                    failure = "lengths differ: " + ref.length + " vs " + got.length;
                    break;
                }
                for (int i = 0; i < ref.length; i++) {
                    double err = Math.abs((double) got[i] - ref[i]);
                    if (!(err <= atol + rtol * Math.abs(ref[i]))) {
                        failure = "output " + p / 2 + " element " + i + " is " + got[i] + ", the reference " + ref[i];
                        worst = Double.isNaN(err) ? Double.NaN : Math.max(worst, err);
                        break;
                    }
                    worst = Math.max(worst, err);
                }
            }
        } catch (RuntimeException e) {
            failure = e.getClass().getSimpleName() + ": " + e.getMessage();
        }
        long ns = 0;
        for (Map.Entry<String, Device.KernelTime> e : dev.kernelTimes().entrySet()) {
            ns += e.getValue().nanos();
            totals.merge(
                    e.getKey(),
                    e.getValue(),
                    (a, b) -> new Device.KernelTime(a.launches() + b.launches(), a.nanos() + b.nanos()));
        }
        for (ClBuffer b : live) b.close();
        live.clear();
        results.add(new Result(name, worst, atol, rtol, ns, failure));
    }

    /** Uniform values in {@code [lo, hi)}. */
    float[] uniform(int n, double lo, double hi) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (lo + random.nextDouble() * (hi - lo));
        return a;
    }

    float[] uniform(int n) {
        return uniform(n, -1, 1);
    }

    /** Bytes 0/1 with the given fraction of ones. */
    byte[] spikes(int n, double density) {
        byte[] s = new byte[n];
        for (int i = 0; i < n; i++) s[i] = (byte) (random.nextDouble() < density ? 1 : 0);
        return s;
    }

    static float[] toFloat(byte[] b) {
        float[] f = new float[b.length];
        for (int i = 0; i < b.length; i++) f[i] = b[i];
        return f;
    }

    static float[] toFloat(int[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) f[i] = v[i];
        return f;
    }

    /** Buffers made through these helpers are freed when their check ends. */
    ClBuffer up(float[] a) {
        return keep(dev.upload(a));
    }

    ClBuffer up(byte[] a) {
        return keep(dev.upload(a));
    }

    float[] down(ClBuffer b) {
        float[] out = new float[(int) b.length()];
        dev.read(out, b);
        return out;
    }

    byte[] downBytes(ClBuffer b) {
        byte[] out = new byte[(int) b.length()];
        dev.read(out, b);
        return out;
    }

    int[] downInts(ClBuffer b) {
        int[] out = new int[(int) b.length()];
        dev.read(out, b);
        return out;
    }

    ClBuffer alloc(DeviceBuffer.Type type, int n) {
        return keep(dev.allocate(type, n));
    }

    private ClBuffer keep(ClBuffer b) {
        live.add(b);
        return b;
    }
}
