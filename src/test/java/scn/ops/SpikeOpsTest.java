package scn.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The byte-spike operators give exactly what their float references give on 0/1 input. */
class SpikeOpsTest {
    /**
     * The max-pool on spikes against {@link MaxPool2dRef} on the same 0/1 values: outputs and argmax, on even and
     * odd planes, empty and full ones, for the stem's 3×3/2/1 pool (its own kernel) and for other pools (the
     * general loop).
     */
    @Test
    void maxPoolMatchesTheFloatReferenceOutputsAndArgmax() {
        int[][] shapes = {{3, 13, 17}, {2, 6, 5}, {1, 1, 1}, {4, 2, 9}, {2, 128, 160}};
        int[][] pools = {{3, 2, 1}, {2, 2, 0}, {3, 1, 1}};
        double[] densities = {0, 0.05, 0.3, 1};
        SplittableRandom random = new SplittableRandom(7);
        for (int[] s : shapes) {
            for (int[] pool : pools) {
                for (double density : densities) {
                    int planes = s[0], h = s[1], w = s[2], k = pool[0], st = pool[1], p = pool[2];
                    if (PoolGeometry.out(h, k, st, p) < 1 || PoolGeometry.out(w, k, st, p) < 1) continue;
                    byte[] x = new byte[planes * h * w];
                    float[] xf = new float[x.length];
                    for (int i = 0; i < x.length; i++) {
                        x[i] = (byte) (random.nextDouble() < density ? 1 : 0);
                        xf[i] = x[i];
                    }
                    int out = planes * PoolGeometry.out(h, k, st, p) * PoolGeometry.out(w, k, st, p);
                    float[] yRef = new float[out];
                    int[] argRef = new int[out];
                    MaxPool2dRef.forward(yRef, argRef, xf, planes, h, w, k, st, p);
                    byte[] y = new byte[out];
                    int[] arg = new int[out];
                    SpikeOps.maxPool(y, arg, x, planes, h, w, k, st, p);
                    float[] yf = new float[out];
                    for (int i = 0; i < out; i++) yf[i] = y[i];
                    String name = java.util.Arrays.toString(s) + " pool " + java.util.Arrays.toString(pool)
                            + " density " + density;
                    assertArrayEquals(yRef, yf, name + ": outputs");
                    assertArrayEquals(argRef, arg, name + ": argmax");
                }
            }
        }
    }
}
