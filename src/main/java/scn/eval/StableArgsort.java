package scn.eval;

/**
 * A stable argsort of doubles, the order numpy's {@code argsort(kind='mergesort')} gives: ascending,
 * equal keys in their original order. Keys compare with {@code <}, so {@code -0.0} and {@code 0.0} are
 * equal, as they are to numpy. NaN keys are not supported (callers reject them).
 */
final class StableArgsort {
    private StableArgsort() {}

    /** Indices that sort {@code keys} ascending, stably. */
    static int[] ascending(double[] keys) {
        int n = keys.length;
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        if (n < 2) return order;
        int[] buffer = new int[n];
        // Bottom-up merge sort: runs of width 1, 2, 4, ...; on equal keys the left run goes first.
        for (int width = 1; width < n; width *= 2) {
            for (int lo = 0; lo < n; lo += 2 * width) {
                int mid = Math.min(lo + width, n), hi = Math.min(lo + 2 * width, n);
                int i = lo, j = mid, out = lo;
                while (i < mid && j < hi) buffer[out++] = keys[order[j]] < keys[order[i]] ? order[j++] : order[i++];
                while (i < mid) buffer[out++] = order[i++];
                while (j < hi) buffer[out++] = order[j++];
            }
            int[] swap = order;
            order = buffer;
            buffer = swap;
        }
        return order;
    }
}
