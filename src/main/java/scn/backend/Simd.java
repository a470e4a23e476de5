package scn.backend;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** The SIMD species the fast paths use: the widest the CPU supports (512 bits with AVX-512). */
public final class Simd {
    public static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    public static final int LANES = F.length();

    private Simd() {}

    public static String describe() {
        return F.vectorBitSize() + "-bit, " + LANES + " float lanes";
    }
}
