package scn;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import scn.backend.opencl.ClPlatforms;
import scn.tensor.Tensor;

/** Shared helpers for the tests: seeded random tensors and elementwise closeness with a useful message. */
public final class TestUtil {
    private TestUtil() {}

    /** Uniform values in [-1, 1). */
    public static Tensor random(long seed, int... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        Tensor t = Tensor.zeros(shape);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) d[i] = (float) (r.nextDouble() * 2 - 1);
        return t;
    }

    /** Binary values with the given fraction of ones. */
    public static Tensor randomSpikes(long seed, double density, int... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        Tensor t = Tensor.zeros(shape);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) d[i] = r.nextDouble() < density ? 1f : 0f;
        return t;
    }

    /** Asserts {@code |got − ref| ≤ atol + rtol·|ref|} elementwise, reporting the worst element. */
    public static void assertClose(String what, float[] ref, float[] got, double atol, double rtol) {
        if (ref.length != got.length) fail(what + ": lengths differ, " + ref.length + " vs " + got.length);
        int worst = -1;
        double worstExcess = 0;
        for (int i = 0; i < ref.length; i++) {
            double excess = Math.abs(got[i] - ref[i]) - (atol + rtol * Math.abs(ref[i]));
            if (!(excess <= 0) && (worst < 0 || !(excess <= worstExcess))) {
                worst = i;
                worstExcess = excess;
            }
        }
        if (worst >= 0) {
            fail(what + ": element " + worst + " is " + got[worst] + " but the reference is " + ref[worst] + " (atol "
                    + atol + ", rtol " + rtol + ")");
        }
    }

    /**
     * The OpenCL device the tests run on: PoCL where present (the same device on every machine, and no
     * GPU time spent), else the first. Without any OpenCL platform the calling test is skipped, except
     * under {@code CI=true}, where a missing platform means a broken CI image and the test fails.
     */
    public static int openClTestDevice() {
        List<ClPlatforms.Info> all = ClPlatforms.devices();
        if (all.isEmpty()) {
            String why = ClPlatforms.unavailableReason();
            if ("true".equalsIgnoreCase(System.getenv("CI")))
                fail("CI=true but " + why + " (install pocl-opencl-icd and ocl-icd-opencl-dev)");
            Assumptions.abort(why);
        }
        return all.stream()
                .filter(d -> d.platform().contains("Portable Computing Language"))
                .findFirst()
                .orElse(all.get(0))
                .index();
    }

    /**
     * How many elements of {@code got} differ from {@code ref} by more than {@code rel} times the largest
     * {@code |ref|} plus {@code atol}: for comparisons where a few values may legitimately differ more.
     */
    public static int countFar(float[] ref, float[] got, double rel, double atol) {
        if (ref.length != got.length) fail("lengths differ, " + ref.length + " vs " + got.length);
        double tol = rel * maxAbs(ref) + atol;
        int far = 0;
        for (int i = 0; i < ref.length; i++) if (!(Math.abs(got[i] - ref[i]) <= tol)) far++;
        return far;
    }

    public static double maxAbs(float[] a) {
        double m = 0;
        for (float v : a) m = Math.max(m, Math.abs(v));
        return m;
    }
}
