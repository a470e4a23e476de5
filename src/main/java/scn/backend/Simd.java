package scn.backend;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/** The SIMD species the fast paths use: the widest the CPU supports (512 bits with AVX-512). */
public final class Simd {
    public static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    public static final int LANES = F.length();
    /** Bytes with as many lanes as {@link #F}: one byte spike per float lane. */
    public static final VectorSpecies<Byte> BYTES = VectorSpecies.of(byte.class, VectorShape.forBitSize(LANES * 8));

    private Simd() {}

    /** {@link #LANES} byte spikes from {@code a[at]} on, as floats 0 and 1. */
    public static FloatVector floatsOf(byte[] a, int at) {
        return (FloatVector) ByteVector.fromArray(BYTES, a, at).convertShape(VectorOperators.B2F, F, 0);
    }

    /** Writes {@code fire} as byte spikes (1 where set, else 0) to {@code s[at]} on. */
    public static void storeSpikes(VectorMask<Float> fire, byte[] s, int at) {
        ((ByteVector) FloatVector.zero(F).blend(1f, fire).convertShape(VectorOperators.F2B, BYTES, 0)).intoArray(s, at);
    }

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

    /**
     * {@link #sum(FloatVector)}, the same bits, through {@code lanes} (at least {@link #LANES} long): {@code lane(i)}
     * at an index the compiler does not see as constant is a call, not a register move, and cost 30 to 150 ns here,
     * more than summing a plane of the smallest maps (80 neurons). For loops that sum once per plane.
     */
    public static float sum(FloatVector v, float[] lanes) {
        v.intoArray(lanes, 0);
        float s = 0f;
        for (int i = 0; i < LANES; i++) s += lanes[i];
        return s;
    }

    /** {@code to[at .. at + len) += from[fromAt .. fromAt + len)}: whole vectors, then the tail one by one. */
    public static void addInto(float[] to, int at, float[] from, int fromAt, int len) {
        int x = 0;
        for (; x + LANES <= len; x += LANES)
            FloatVector.fromArray(F, to, at + x)
                    .add(FloatVector.fromArray(F, from, fromAt + x))
                    .intoArray(to, at + x);
        for (; x < len; x++) to[at + x] += from[fromAt + x];
    }

    public static String describe() {
        return F.vectorBitSize() + "-bit, " + LANES + " float lanes";
    }
}
