package scn.backend;

/**
 * Per-thread scratch arrays that grow to the largest size asked for and are then reused, so kernels
 * allocate nothing once a training step has run once. A slot is one independent buffer per thread;
 * callers pick distinct slot numbers for buffers they hold at the same time.
 */
public final class Scratch {
    private static final int SLOTS = 6;
    private static final ThreadLocal<float[][]> FLOATS = ThreadLocal.withInitial(() -> new float[SLOTS][0]);

    private Scratch() {}

    /** A buffer of at least {@code n} floats for this thread; its contents are unspecified. */
    public static float[] floats(int slot, int n) {
        float[][] slots = FLOATS.get();
        if (slots[slot].length < n) slots[slot] = new float[n];
        return slots[slot];
    }
}
