package scn.bench;

import java.util.Locale;
import scn.check.CpuFast;
import scn.check.Draw;
import scn.check.LayerCheck;
import scn.check.LayerRow;

/**
 * The long run of the layer-by-layer check: many random {@link Draw}s (teacher and student, training and
 * evaluation, every spike path, odd sizes, weights far from the default initialisation), each checked
 * against the scalar reference. One line per draw; every problem of a failing draw; exit 1 when any
 * failed. The test suite runs the first 16 draws; this runs as many as you like, from any seed.
 *
 * <pre>java --add-modules=jdk.incubator.vector -cp bench/target/benchmarks.jar scn.bench.FuzzPaths [N [FIRST]]</pre>
 */
public final class FuzzPaths {
    private FuzzPaths() {}

    public static void main(String[] args) {
        int draws = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        long first = args.length > 1 ? Long.parseLong(args[1]) : 1;
        int failed = 0;
        long flips = 0;
        long start = System.nanoTime();
        for (long seed = first; seed < first + draws; seed++) {
            Draw d = Draw.of(seed);
            long t0 = System.nanoTime();
            LayerCheck.Report report = d.check(new CpuFast());
            long drawFlips = report.rows().stream().mapToLong(LayerRow::flips).sum();
            flips += drawFlips;
            System.out.printf(
                    Locale.ROOT,
                    "%-6s %5.1f s  %d flips  %s%n",
                    report.passed() ? "passed" : "FAILED",
                    (System.nanoTime() - t0) / 1e9,
                    drawFlips,
                    d);
            if (!report.passed()) {
                failed++;
                report.problems().forEach(p -> System.out.println("         " + p));
            }
        }
        System.out.printf(
                Locale.ROOT,
                "%d draws from seed %d: %d passed, %d failed; %d flips, all explained where passed; %.0f s%n",
                draws,
                first,
                draws - failed,
                failed,
                flips,
                (System.nanoTime() - start) / 1e9);
        System.exit(failed == 0 ? 0 : 1);
    }
}
