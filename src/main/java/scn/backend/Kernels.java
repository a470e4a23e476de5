package scn.backend;

/**
 * The one switch between the plain scalar references ({@code *Ref}) and the fast CPU paths.
 *
 * <p>Set once at start-up ({@code --reference} on the command line or {@code -Dscn.reference=true});
 * tests flip it to compare paths. Every dispatching op reads {@link #reference()} on entry.
 */
public final class Kernels {
    private static volatile boolean reference = Boolean.getBoolean("scn.reference");

    private Kernels() {}

    public static boolean reference() {
        return reference;
    }

    public static void forceReference(boolean on) {
        reference = on;
    }

    /** One line for the start-up log: which CPU path runs and with how many threads and lanes. */
    public static String describe() {
        if (reference) return "cpu-reference (plain scalar kernels, 1 thread)";
        return "cpu (" + Parallel.threads() + " threads, SIMD " + Simd.describe() + ")";
    }
}
