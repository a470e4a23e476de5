package scn.backend.opencl;

import scn.backend.Device;
import scn.backend.DeviceBuffer.Type;

/**
 * Elementwise operators and reductions on the device ({@code elementwise.cl}), twins of
 * {@link scn.ops.ElementwiseRef} under the same names. Every method works on the first {@code n}
 * elements of its buffers (all float32 unless said otherwise); backward methods accumulate.
 */
public final class ElementwiseCl {
    private ElementwiseCl() {}

    public static void add(ClBuffer y, ClBuffer a, ClBuffer b, int n) {
        run("add", n, y, a, b);
    }

    /** {@code y = a + s} with {@code s} uint8 spikes. */
    public static void addSpikes(ClBuffer y, ClBuffer a, ClBuffer s, int n) {
        s.require("elementwise_addSpikes", "s", Type.UINT8, n);
        launch("addSpikes", n, floats(n, y, a), y, a, s, n);
    }

    /** {@code dx += dy}. */
    public static void accumulate(ClBuffer dx, ClBuffer dy, int n) {
        run("accumulate", n, dx, dy);
    }

    public static void sub(ClBuffer y, ClBuffer a, ClBuffer b, int n) {
        run("sub", n, y, a, b);
    }

    public static void mul(ClBuffer y, ClBuffer a, ClBuffer b, int n) {
        run("mul", n, y, a, b);
    }

    /** {@code da += dy·b}. */
    public static void mulBackward(ClBuffer da, ClBuffer dy, ClBuffer b, int n) {
        run("mulBackward", n, da, dy, b);
    }

    /** {@code y = a·x + b} with scalars {@code a}, {@code b}. */
    public static void affine(ClBuffer y, ClBuffer x, float a, float b, int n) {
        launch("affine", n, floats(n, y, x), y, x, a, b, n);
    }

    /** {@code dx += a·dy}. */
    public static void scaleBackward(ClBuffer dx, ClBuffer dy, float a, int n) {
        launch("scaleBackward", n, floats(n, dx, dy), dx, dy, a, n);
    }

    public static void relu(ClBuffer y, ClBuffer x, int n) {
        run("relu", n, y, x);
    }

    public static void reluBackward(ClBuffer dx, ClBuffer dy, ClBuffer x, int n) {
        run("reluBackward", n, dx, dy, x);
    }

    public static void sigmoid(ClBuffer y, ClBuffer x, int n) {
        run("sigmoid", n, y, x);
    }

    /** {@code dx += dy·y·(1−y)} from the saved output {@code y}. */
    public static void sigmoidBackward(ClBuffer dx, ClBuffer dy, ClBuffer y, int n) {
        run("sigmoidBackward", n, dx, dy, y);
    }

    public static void log(ClBuffer y, ClBuffer x, int n) {
        run("log", n, y, x);
    }

    public static void logBackward(ClBuffer dx, ClBuffer dy, ClBuffer x, int n) {
        run("logBackward", n, dx, dy, x);
    }

    public static void clamp(ClBuffer y, ClBuffer x, float lo, float hi, int n) {
        launch("clamp", n, floats(n, y, x), y, x, lo, hi, n);
    }

    public static void clampBackward(ClBuffer dx, ClBuffer dy, ClBuffer x, float lo, float hi, int n) {
        launch("clampBackward", n, floats(n, dx, dy, x), dx, dy, x, lo, hi, n);
    }

    public static void pow(ClBuffer y, ClBuffer x, float p, int n) {
        launch("pow", n, floats(n, y, x), y, x, p, n);
    }

    public static void powBackward(ClBuffer dx, ClBuffer dy, ClBuffer x, float p, int n) {
        launch("powBackward", n, floats(n, dx, dy, x), dx, dy, x, p, n);
    }

    public static void abs(ClBuffer y, ClBuffer x, int n) {
        run("abs", n, y, x);
    }

    public static void absBackward(ClBuffer dx, ClBuffer dy, ClBuffer x, int n) {
        run("absBackward", n, dx, dy, x);
    }

    /** {@code dx += g} for every element. */
    public static void broadcastAdd(ClBuffer dx, float g, int n) {
        launch("broadcastAdd", n, floats(n, dx), dx, g, n);
    }

    /** {@code y [M] = mean over t of x [T, M]}. */
    public static void meanTime(ClBuffer y, ClBuffer x, int t, int m) {
        floats(m, y);
        floats((long) t * m, x);
        launch("meanTime", m, y.device(), y, x, t, m);
    }

    /** {@code dx [T, M] += dy [M] / T}. */
    public static void meanTimeBackward(ClBuffer dx, ClBuffer dy, int t, int m) {
        floats(m, dy);
        floats((long) t * m, dx);
        launch("meanTimeBackward", m, dx.device(), dx, dy, t, m);
    }

    /** {@code out[0] = Σ x[0..n)}: per-work-group partial sums, then one work-group adds those. */
    public static void sum(ClBuffer out, ClBuffer x, int n) {
        floats(1, out);
        ClDevice dev = floats(n, x);
        ClKernel partial = dev.kernel("elementwise", "elementwise_sumPartial", "");
        int local = partial.localPow2();
        // A few work-groups per compute unit fill the device; more would only lengthen stage 2.
        int groups = (int)
                Math.max(1, Math.min((n + local - 1) / local, 4L * dev.info().computeUnits()));
        ClBuffer parts = dev.scratch("elementwise.sum", Type.FLOAT32, groups); // [groups]
        partial.launch(
                new long[] {(long) groups * local}, new long[] {local}, parts, x, n, new Device.Local(4L * local));
        ClKernel fin = dev.kernel("elementwise", "elementwise_sumFinal", "");
        int fl = fin.localPow2();
        fin.launch(new long[] {fl}, new long[] {fl}, out, parts, groups, new Device.Local(4L * fl));
    }

    /** Kernels whose arguments are float buffers followed by {@code n}. */
    private static void run(String name, int n, ClBuffer... bufs) {
        Object[] args = new Object[bufs.length + 1];
        System.arraycopy(bufs, 0, args, 0, bufs.length);
        args[bufs.length] = n;
        launch(name, n, floats(n, bufs), args);
    }

    private static void launch(String name, long n, ClDevice dev, Object... args) {
        dev.kernel("elementwise", "elementwise_" + name, "").launch1d(n, args);
    }

    /** Checks that every buffer is float32 with at least {@code n} elements; returns their device. */
    private static ClDevice floats(long n, ClBuffer... bufs) {
        for (ClBuffer b : bufs) b.require("elementwise", "operand", Type.FLOAT32, n);
        return bufs[0].device();
    }
}
