package scn.bench;

import java.util.Locale;
import java.util.SplittableRandom;
import scn.backend.SpikePath;
import scn.ops.Conv2d;
import scn.tensor.ConvGeometry;
import scn.tensor.Tensor;

/**
 * The dense-versus-event-driven table over input density, measured the robust way on a shared
 * machine: in one process, the two paths alternating call by call on identical spikes, each figure
 * the minimum over the repetitions (interference only ever adds time). Prints a Markdown table of ms
 * per call and the event-driven speed-up for the forward pass and the weight gradient of each layer
 * of {@link SpikeConvBench.Layer}, and the crossover density where the speed-up falls below 1 (see
 * {@link #crossover}).
 *
 * <p>{@code java --add-modules=jdk.incubator.vector -cp bench/target/benchmarks.jar scn.bench.SpikeConvTable [reps]}
 */
public final class SpikeConvTable {
    static final double[] DENSITIES = {0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5};

    private SpikeConvTable() {}

    public static void main(String[] args) {
        int reps = args.length > 0 ? Integer.parseInt(args[0]) : 9;
        System.out.println(
                "| layer | input density | forward dense ms | forward event-driven ms | speed-up | weight grad dense ms | weight grad event-driven ms | speed-up |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        StringBuilder crossovers = new StringBuilder();
        for (SpikeConvBench.Layer layer : SpikeConvBench.Layer.values()) {
            ConvGeometry g = layer.g;
            double[][] rows = new double[DENSITIES.length][];
            for (int i = 0; i < DENSITIES.length; i++) {
                double density = DENSITIES[i];
                double[] t = measure(g, density, reps); // {forward dense, forward sparse, weight dense, weight sparse}
                rows[i] = t;
                System.out.printf(
                        Locale.ROOT,
                        "| %s | %.0f %% | %.2f | %.2f | %.2fx | %.2f | %.2f | %.2fx |%n",
                        layer,
                        100 * density,
                        t[0],
                        t[1],
                        t[0] / t[1],
                        t[2],
                        t[3],
                        t[2] / t[3]);
            }
            double forwardCross = crossover(rows, 0), weightCross = crossover(rows, 2);
            crossovers.append(String.format(
                    Locale.ROOT, "%s: forward %s, weight gradient %s%n", layer, pct(forwardCross), pct(weightCross)));
        }
        System.out.println();
        System.out.println("crossover densities (event-driven faster below; linear interpolation of the speed-up):");
        System.out.print(crossovers);
    }

    private static String pct(double d) {
        return Double.isNaN(d) ? "above 50 %" : d == 0 ? "below 1 %" : String.format(Locale.ROOT, "%.1f %%", 100 * d);
    }

    /**
     * The highest density below which the event-driven path wins: scanning down from the top, the first
     * density where it is faster, interpolated (on the speed-up) with the next one up. Scanning from
     * the top keeps a noisy slow sample at a low density, where times are smallest, from hiding the
     * crossing. 0 when it never wins, NaN when it wins everywhere.
     */
    static double crossover(double[][] rows, int at) {
        int last = rows.length - 1;
        if (rows[last][at] > rows[last][at + 1]) return Double.NaN;
        for (int i = last - 1; i >= 0; i--) {
            double now = rows[i][at] / rows[i][at + 1];
            if (now > 1) {
                double above = rows[i + 1][at] / rows[i + 1][at + 1];
                return DENSITIES[i] + (DENSITIES[i + 1] - DENSITIES[i]) * (now - 1) / (now - above);
            }
        }
        return 0;
    }

    /** As {@link #measure(ConvGeometry, double, int, int)} after two warm-up calls per path. */
    static double[] measure(ConvGeometry g, double density, int reps) {
        return measure(g, density, reps, 2);
    }

    /**
     * ms per call, the minimum over {@code reps} calls per path after {@code warmup} untimed ones (which
     * let the compiler and the caches settle): {forward dense, forward event-driven, weight gradient
     * dense, weight gradient event-driven}.
     */
    static double[] measure(ConvGeometry g, double density, int reps, int warmup) {
        SplittableRandom r = new SplittableRandom(1);
        byte[] x = new byte[g.n() * g.cin() * g.h() * g.w()];
        for (int i = 0; i < x.length; i++) x[i] = (byte) (r.nextDouble() < density ? 1 : 0);
        Tensor w = random(g.weightShape(), r), dy = random(g.outShape(), r);
        Tensor y = Tensor.zeros(g.outShape()), dw = Tensor.zeros(g.weightShape());
        double[] best = {Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE};
        SpikePath.Mode before = SpikePath.mode();
        try {
            for (int rep = 0; rep < warmup + reps; rep++) {
                for (int path = 0; path < 2; path++) {
                    SpikePath.force(path == 0 ? SpikePath.Mode.DENSE : SpikePath.Mode.SPARSE);
                    long t0 = System.nanoTime();
                    Conv2d.forward(y, null, x, w, g);
                    long t1 = System.nanoTime();
                    Conv2d.backwardWeight(dw, dy, null, x, g);
                    long t2 = System.nanoTime();
                    if (rep < warmup) continue;
                    best[path] = Math.min(best[path], (t1 - t0) / 1e6);
                    best[2 + path] = Math.min(best[2 + path], (t2 - t1) / 1e6);
                }
            }
        } finally {
            SpikePath.force(before);
        }
        return best;
    }

    private static Tensor random(int[] shape, SplittableRandom r) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.size(); i++) t.data()[i] = (float) r.nextDouble(-1, 1);
        return t;
    }
}
