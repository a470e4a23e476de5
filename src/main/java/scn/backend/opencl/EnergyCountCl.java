package scn.backend.opencl;

import scn.backend.Device;
import scn.backend.DeviceBuffer.Type;

/**
 * The counts of the energy estimate over one convolution's input on the device ({@code energy.cl}), twin of the
 * loop in {@code scn.energy.EnergyEstimator.conv}: only three numbers come back, not the activation.
 */
public final class EnergyCountCl {
    /** What one work-group may sum at most, so that its reach total (at most 49 · 3 · 3 per element) fits a uint. */
    private static final long PER_GROUP = 1L << 22;

    private EnergyCountCl() {}

    /** The counts: non-zero inputs, output positions they reach, and inputs neither 0 nor 1. */
    public record Counts(long nonZero, long reached, long nonBinary) {}

    /**
     * Counts over {@code x [P, h, w]} (float or uint8 spikes, {@code n = P·h·w} elements) with the reach of each
     * input row {@code reachY [h]} and column {@code reachX [w]} (int32).
     */
    public static Counts count(ClBuffer x, ClBuffer reachY, ClBuffer reachX, int h, int w, int n) {
        String op = "energy count";
        if (x.type() != Type.FLOAT32 && x.type() != Type.UINT8)
            throw new IllegalArgumentException(op + ": x must be FLOAT32 or UINT8, is " + x.type());
        if (h < 1 || w < 1 || n % (h * w) != 0)
            throw new IllegalArgumentException(op + ": " + n + " elements are not planes of " + h + " x " + w);
        x.require(op, "x", x.type(), n);
        reachY.require(op, "reachY", Type.INT32, h);
        reachX.require(op, "reachX", Type.INT32, w);
        ClDevice dev = x.device();
        ClKernel k = dev.kernel("energy", "energy_count", x.type() == Type.UINT8 ? "-DT=uchar" : "-DT=float");
        int local = k.localPow2();
        long wanted = Math.max(4L * dev.info().computeUnits(), (n + PER_GROUP - 1) / PER_GROUP);
        int groups = (int) Math.max(1, Math.min(wanted, (n + local - 1) / local));
        ClBuffer partial = dev.arena().take(Type.INT32, 3L * groups); // [groups, 3], exactly as long as read back
        long bytes = 4L * local;
        k.launch(
                new long[] {(long) groups * local},
                new long[] {local},
                partial,
                x,
                reachY,
                reachX,
                h,
                w,
                n,
                new Device.Local(bytes),
                new Device.Local(bytes),
                new Device.Local(bytes));
        int[] p = new int[3 * groups];
        dev.read(p, partial);
        dev.arena().giveBack(partial);
        long a = 0, b = 0, c = 0;
        for (int g = 0; g < groups; g++) {
            a += Integer.toUnsignedLong(p[3 * g]);
            b += Integer.toUnsignedLong(p[3 * g + 1]);
            c += Integer.toUnsignedLong(p[3 * g + 2]);
        }
        return new Counts(a, b, c);
    }
}
