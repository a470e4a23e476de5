package scn.bench;

import java.util.Locale;
import scn.ops.Conv2d;
import scn.tensor.ConvGeometry;
import scn.tensor.Tensor;

/**
 * The ReLU teacher's 3×3 convolutions at width 0.25, batch 2 (N = T · batch = 10) on float inputs: ms per call of
 * the forward pass, the input gradient and the weight gradient, each the minimum over the repetitions (interference
 * only ever adds time), with the arrays flushed from the caches before each call, as in a training step. Put another
 * build's engine jar first on the class path to time its kernels on the same shapes:
 *
 * <p>{@code java --add-modules=jdk.incubator.vector -cp [other-engine.jar:]bench/target/benchmarks.jar
 * scn.bench.Conv3x3Table [reps]}
 */
public final class Conv3x3Table {
    /** {N, Cin, H, W, Cout, stride}: the encoder's and heads' 3×3 layers. */
    static final int[][] SHAPES = {
        {10, 16, 64, 80, 16, 1},
        {10, 32, 32, 40, 32, 1},
        {10, 64, 16, 20, 64, 1},
        {10, 128, 8, 10, 128, 1},
        {10, 16, 64, 80, 32, 2},
        {10, 32, 32, 40, 64, 2},
        {10, 64, 16, 20, 128, 2}
    };

    private static final float[] FLUSH = new float[1 << 24]; // 64 MiB, beyond the last-level cache
    private static float sink;

    private Conv3x3Table() {}

    public static void main(String[] args) {
        int reps = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        System.out.println(
                "| shape `[N, Cin, H, W] → Cout`, stride | forward ms | input gradient ms | weight gradient ms |");
        System.out.println("|---|---|---|---|");
        for (int[] s : SHAPES) {
            ConvGeometry g = new ConvGeometry(s[0], s[1], s[2], s[3], s[4], 3, 3, s[5], 1, 1);
            Tensor x = ConvBench.random(g.inShape(), 1), w = ConvBench.random(g.weightShape(), 2);
            Tensor y = Tensor.zeros(g.outShape()), dx = Tensor.zeros(g.inShape()), dw = Tensor.zeros(g.weightShape());
            double f = Double.MAX_VALUE, bi = Double.MAX_VALUE, bw = Double.MAX_VALUE;
            for (int i = 0; i < reps + 5; i++) { // the first five warm the JIT up
                flush();
                long t0 = System.nanoTime();
                Conv2d.forward(y, x.data(), null, w, g);
                double tf = (System.nanoTime() - t0) / 1e6;
                flush();
                t0 = System.nanoTime();
                Conv2d.backwardInput(dx, y, w, g); // the output stands in for dY
                double ti = (System.nanoTime() - t0) / 1e6;
                flush();
                t0 = System.nanoTime();
                Conv2d.backwardWeight(dw, y, x.data(), null, g);
                double tw = (System.nanoTime() - t0) / 1e6;
                if (i < 5) continue;
                f = Math.min(f, tf);
                bi = Math.min(bi, ti);
                bw = Math.min(bw, tw);
            }
            System.out.printf(
                    Locale.ROOT,
                    "| `[%d, %d, %d, %d] → %d`, %d | %.2f | %.2f | %.2f |%n",
                    s[0],
                    s[1],
                    s[2],
                    s[3],
                    s[4],
                    s[5],
                    f,
                    bi,
                    bw);
        }
        if (sink == 1f) System.out.println(); // keeps the flushes
    }

    private static void flush() {
        for (int i = 0; i < FLUSH.length; i += 16) FLUSH[i] += 1f;
        sink += FLUSH[5];
    }
}
