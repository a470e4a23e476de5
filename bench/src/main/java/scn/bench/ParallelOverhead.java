package scn.bench;

import java.util.Locale;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import scn.backend.Parallel;

/**
 * What one {@link Parallel#forEach} call costs: two equal compute-bound tasks (register FMAs, no
 * memory traffic) run as one parallel call, against the same two tasks run one after the other on the
 * caller, for task lengths from a few microseconds to milliseconds. The speed-up shows how short an
 * operator can be before splitting it over the cores stops paying (a training step makes about 500
 * such calls, many of them under 0.3 ms).
 *
 * <p>{@code java --add-modules=jdk.incubator.vector -cp bench/target/benchmarks.jar scn.bench.ParallelOverhead}
 */
public final class ParallelOverhead {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static volatile float sink;

    private ParallelOverhead() {}

    private static float work(long iterations) {
        FloatVector a0 = FloatVector.broadcast(S, 1f), a1 = a0, a2 = a0, a3 = a0;
        FloatVector m = FloatVector.broadcast(S, 0.999999f), c = FloatVector.broadcast(S, 1e-7f);
        for (long i = 0; i < iterations; i++) {
            a0 = a0.fma(m, c);
            a1 = a1.fma(m, c);
            a2 = a2.fma(m, c);
            a3 = a3.fma(m, c);
        }
        return a0.add(a1).add(a2).add(a3).reduceLanes(VectorOperators.ADD);
    }

    public static void main(String[] args) {
        System.out.printf(
                Locale.ROOT,
                "threads %d%n| task | parallel call | serial pair | speed-up |%n|---|---|---|---|%n",
                Parallel.threads());
        for (long iterations : new long[] {2_000, 20_000, 200_000, 2_000_000}) {
            int calls = (int) Math.max(50, 20_000_000L / iterations);
            double best = 0, parallelUs = 0, serialUs = 0;
            for (int rep = 0; rep < 3; rep++) { // the first round warms up; the best of the later ones counts
                long t0 = System.nanoTime();
                for (int k = 0; k < calls; k++) {
                    Parallel.forEach(2, (w, from, to) -> {
                        float s = 0;
                        for (int i = from; i < to; i++) s += work(iterations);
                        sink = s;
                    });
                }
                long t1 = System.nanoTime();
                for (int k = 0; k < calls; k++) sink = work(iterations) + work(iterations);
                long t2 = System.nanoTime();
                double p = (t1 - t0) / 1e3 / calls, s = (t2 - t1) / 1e3 / calls;
                if (rep > 0 && s / p > best) {
                    best = s / p;
                    parallelUs = p;
                    serialUs = s;
                }
            }
            System.out.printf(
                    Locale.ROOT, "| %.1f us | %.1f us | %.1f us | %.2fx |%n", serialUs / 2, parallelUs, serialUs, best);
        }
    }
}
