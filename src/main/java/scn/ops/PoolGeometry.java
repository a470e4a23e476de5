package scn.ops;

/** Output size of a pooling window: {@code floor((n + 2p − k) / s) + 1}. */
final class PoolGeometry {
    private PoolGeometry() {}

    static int out(int n, int k, int s, int p) {
        return (n + 2 * p - k) / s + 1;
    }
}
