package scn.bench;

import java.util.Collection;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs the JMH benchmarks (any JMH command-line options pass through, e.g. a regex selecting some)
 * and prints each result as GFLOP/s: FLOPs per call (see {@link GemmBench}, {@link ConvBench}) divided
 * by the mean time per call; {@link RawDecodeBench} as events decoded per second; {@link NormPlifBackwardBench} as
 * milliseconds alone.
 */
public final class BenchMain {
    private BenchMain() {}

    public static void main(String[] args) throws Exception {
        Options cli = new CommandLineOptions(args);
        Options opts = new OptionsBuilder().parent(cli).build();
        Collection<RunResult> results = new Runner(opts).run();
        System.out.println();
        System.out.printf("%-44s %12s %10s%n", "benchmark", "ms/op", "GFLOP/s");
        for (RunResult r : results) {
            String bench = r.getParams().getBenchmark();
            String method = bench.substring(bench.lastIndexOf('.') + 1);
            double ms = r.getPrimaryResult().getScore();
            double flops;
            String label;
            if (bench.contains("GemmBench")) {
                int n = Integer.parseInt(r.getParams().getParam("n"));
                flops = GemmBench.flops(n);
                label = "sgemm " + n;
            } else if (bench.contains("RawDecodeBench")) {
                System.out.printf(
                        "%-44s %12s %10s %.1f M events/s%n",
                        "RAW decode " + method,
                        "-",
                        "-",
                        r.getPrimaryResult().getScore() * 1e-6); // a throughput in events/s, not a time
                continue;
            } else if (bench.contains("NormPlifBackwardBench")) {
                System.out.printf(
                        "%-44s %12.3f %10s%n",
                        "norm-plif backward " + r.getParams().getParam("shape") + " " + method, ms, "-");
                continue;
            } else if (bench.contains("SpikeConvBench")) {
                // Event-driven work is additions over active inputs, not FLOPs of the dense product.
                System.out.printf(
                        "%-44s %12.3f %10s%n",
                        r.getParams().getParam("layer") + " " + method + " "
                                + r.getParams().getParam("path") + " "
                                + r.getParams().getParam("density"),
                        ms,
                        "-");
                continue;
            } else {
                String shape = r.getParams().getParam("shape");
                flops = ConvBench.flops(shape, method.equals("forwardBackward"));
                label = shape + " " + method;
            }
            System.out.printf("%-44s %12.3f %10.1f%n", label, ms, flops / (ms * 1e6));
        }
    }
}
