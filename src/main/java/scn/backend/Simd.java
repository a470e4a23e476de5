package scn.backend;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** The SIMD species the fast paths use: the widest the CPU supports (512 bits with AVX-512). */
public final class Simd {
    public static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    public static final int LANES = F.length();

    private Simd() {}

    /**
     * The sum of {@code v}'s lanes, added in lane order. {@code reduceLanes(ADD)} leaves the order open, and
     * the interpreter and the JIT-compiled code do use different ones, so the same call could give other
     * low bits once compiled: a training run would not repeat itself. This costs a few nanoseconds per
     * reduction, and kernels reduce once per channel or filter tap.
     */
    public static float sum(FloatVector v) {
        float s = 0f;
        for (int i = 0; i < v.length(); i++) s += v.lane(i);
        return s;
    }

    public static String describe() {
        return F.vectorBitSize() + "-bit, " + LANES + " float lanes";
    }
}
