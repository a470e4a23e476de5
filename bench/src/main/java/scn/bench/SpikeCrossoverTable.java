package scn.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import scn.backend.Kernels;
import scn.nn.ModelConfig;
import scn.nn.SpikingCenterNet;
import scn.ops.ConvTrace;
import scn.ops.SpikeCrossovers;
import scn.ops.SpikeCrossovers.ConvShape;
import scn.tensor.ConvGeometry;

/**
 * Measures the crossover table of {@link SpikeCrossovers}: builds the real network at each width,
 * lists the distinct shapes of its convolutions on spikes (one forward pass, {@link ConvTrace}), and
 * times dense against event-driven on each shape at the densities of {@link SpikeConvTable} with its
 * method (both paths alternating call by call on identical random spikes, each figure the minimum over
 * the repetitions). Writes the table, with {@code #} lines saying the command, the date and the
 * machine, to stdout and to {@code --out}; progress goes to stderr.
 *
 * <p>{@code java --add-modules=jdk.incubator.vector -cp bench/target/benchmarks.jar scn.bench.SpikeCrossoverTable
 * --widths 0.25,0.5,1 --batch 2 --reps 5 --out src/main/resources/scn/ops/spike-crossovers.tsv}
 * ({@code --warmup W}, default 2: untimed calls per path before each density's timed ones).
 *
 * <p>The shapes are measured at {@code n = T * batch} images per call, as the network runs them, and
 * {@code n} is part of a row's key. {@code --append} adds this run's rows, under its own {@code #}
 * lines, to an existing table (rows at another batch, say); a (shape, n) the table already has is refused.
 */
public final class SpikeCrossoverTable {
    private static final double EXPANSION = 1.5;
    private static final int TIME_STEPS = 5, CLASSES = 2;

    /** One distinct shape: its geometry as first met (N included) and every layer that has it. */
    private record Use(ConvGeometry geometry, List<String> layers) {}

    private SpikeCrossoverTable() {}

    public static void main(String[] args) throws IOException {
        List<Double> widths = List.of(0.25, 0.5, 1.0);
        int batch = 2, reps = 5, warmup = 2;
        Path out = null;
        boolean append = false;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--widths" -> widths = parseWidths(require(args[i], value));
                case "--batch" -> batch = Integer.parseInt(require(args[i], value));
                case "--reps" -> reps = Integer.parseInt(require(args[i], value));
                case "--warmup" -> warmup = Integer.parseInt(require(args[i], value));
                case "--out" -> out = Path.of(require(args[i], value));
                case "--append" -> {
                    append = true;
                    i--; // a flag: no value
                }
                default ->
                    throw new IllegalArgumentException("unknown argument '" + args[i]
                            + "'; usage: --widths 0.25,0.5,1 --batch 2 --reps 5 [--warmup 2] [--out FILE [--append]]");
            }
            i++;
        }
        if (batch < 1 || reps < 1 || warmup < 0)
            throw new IllegalArgumentException("--batch and --reps must be >= 1, --warmup >= 0");
        if (append && out == null) throw new IllegalArgumentException("--append needs --out FILE");
        SpikeCrossovers existing = append && Files.exists(out)
                ? SpikeCrossovers.parse(out.toString(), Files.newBufferedReader(out))
                : SpikeCrossovers.empty();
        Kernels.forceReference(false);

        Map<ConvShape, Use> shapes = new LinkedHashMap<>();
        for (double width : widths) {
            SpikingCenterNet net =
                    new SpikingCenterNet(new ModelConfig(width, EXPANSION, TIME_STEPS, CLASSES, false), 0);
            for (ConvTrace.Row row : net.spikeConvolutions(batch)) {
                shapes.computeIfAbsent(ConvShape.of(row.geometry()), s -> new Use(row.geometry(), new ArrayList<>()))
                        .layers()
                        .add("width " + width + " " + row.layer());
            }
        }
        int n = TIME_STEPS * batch;
        for (ConvShape shape : shapes.keySet()) {
            if (existing.rows().containsKey(shape) && existing.rows().get(shape).containsKey(n)) {
                throw new IllegalArgumentException(
                        out + " already has " + shape + " at n " + n + "; measure another batch or write a new table");
            }
        }
        System.err.printf(
                Locale.ROOT,
                "%d distinct shapes of convolutions on spikes at widths %s, batch %d; %d timed and %d warm-up calls per path and density%n",
                shapes.size(),
                widths,
                batch,
                reps,
                warmup);

        StringBuilder table = new StringBuilder();
        table.append(
                        "# Crossover densities of convolutions on spikes, per shape: event-driven below, dense at and above,\n")
                .append(
                        "# for the forward pass and the weight gradient (read by scn.ops.SpikeCrossovers). 0: event-driven\n")
                .append(
                        "# lost already at 1 %; 0.5: it still won at 50 %; in between, where the speed-ups cross, interpolated\n")
                .append("# between the densities 1, 2, 5, 10, 20, 30, 50 %. Each time the minimum of ")
                .append(reps)
                .append(" alternating calls per path\n# after ")
                .append(warmup)
                .append(" untimed ones.\n")
                .append(
                        reps < 5 || warmup < 2
                                ? "# A SHORT RUN (fewer than 5 timed or 2 warm-up calls): single figures are noisy; regenerate with\n"
                                        + "# --reps 5 --warmup 2 on a quiet machine before relying on them.\n"
                                : "")
                .append(
                        "# Command: java --add-modules=jdk.incubator.vector -cp bench/target/benchmarks.jar scn.bench.SpikeCrossoverTable ")
                .append(String.join(" ", args))
                .append('\n')
                .append("# Date: ")
                .append(LocalDate.now())
                .append('\n')
                .append("# Machine: ")
                .append(cpuModel())
                .append(", ")
                .append(Kernels.describe())
                .append(", load average at the start ")
                .append(loadAverage())
                .append('\n')
                .append(String.format(
                        Locale.ROOT,
                        "# Model: widths %s, expansion %s, T %d, classes %d, batch %d (N = %d images per call)%n",
                        widths,
                        EXPANSION,
                        TIME_STEPS,
                        CLASSES,
                        batch,
                        n));
        if (existing.rows().isEmpty()) table.append(SpikeCrossovers.HEADER).append('\n');
        long start = System.nanoTime();
        int done = 0;
        for (Map.Entry<ConvShape, Use> e : shapes.entrySet()) {
            ConvGeometry g = e.getValue().geometry();
            List<String> layers = e.getValue().layers();
            System.err.printf(
                    Locale.ROOT,
                    "[%d/%d] %s (%s%s) ...",
                    ++done,
                    shapes.size(),
                    describe(g),
                    layers.get(0),
                    layers.size() > 1 ? " and " + (layers.size() - 1) + " more" : "");
            long t0 = System.nanoTime();
            SpikeCrossovers.Measured m = measure(g, reps, warmup);
            System.err.printf(
                    Locale.ROOT,
                    " forward %.1f %%, weight gradient %.1f %% (%.1f s)%n",
                    100 * m.forward(),
                    100 * m.weightGradient(),
                    (System.nanoTime() - t0) / 1e9);
            table.append(SpikeCrossovers.row(e.getKey(), n, m)).append('\n');
        }
        System.err.printf(Locale.ROOT, "measured in %.1f s%n", (System.nanoTime() - start) / 1e9);
        System.out.print(table);
        if (out != null && existing.rows().isEmpty()) Files.writeString(out, table);
        if (out != null && !existing.rows().isEmpty()) {
            String before = Files.readString(out);
            Files.writeString(out, before + (before.endsWith("\n") ? "" : "\n") + table);
        }
    }

    /** Both crossovers of one shape; a path that wins at every density measured gets the highest one. */
    private static SpikeCrossovers.Measured measure(ConvGeometry g, int reps, int warmup) {
        double[] densities = SpikeConvTable.DENSITIES;
        double[][] rows = new double[densities.length][];
        for (int i = 0; i < densities.length; i++) rows[i] = SpikeConvTable.measure(g, densities[i], reps, warmup);
        double top = densities[densities.length - 1];
        double forward = SpikeConvTable.crossover(rows, 0), weight = SpikeConvTable.crossover(rows, 2);
        return new SpikeCrossovers.Measured(Double.isNaN(forward) ? top : forward, Double.isNaN(weight) ? top : weight);
    }

    private static String describe(ConvGeometry g) {
        return String.format(
                Locale.ROOT,
                "%dx%d/%d%s, %d -> %d, %dx%d, N %d",
                g.kh(),
                g.kw(),
                g.stride(),
                g.isDepthwise() ? " depthwise" : "",
                g.cin(),
                g.cout(),
                g.h(),
                g.w(),
                g.n());
    }

    private static List<Double> parseWidths(String list) {
        List<Double> widths = new ArrayList<>();
        for (String w : list.split(",")) widths.add(Double.parseDouble(w.strip()));
        return widths;
    }

    private static String require(String option, String value) {
        if (value == null) throw new IllegalArgumentException(option + " needs a value");
        return value;
    }

    /** The one-minute load average (a busy machine makes the figures noisy), or {@code unknown}. */
    private static String loadAverage() {
        double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        return load < 0 ? "unknown" : String.format(Locale.ROOT, "%.1f", load);
    }

    /** The processor's name from /proc/cpuinfo (Linux), else the architecture. */
    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name"))
                    return line.substring(line.indexOf(':') + 1).strip();
            }
        } catch (IOException e) {
            // fall through to the architecture
        }
        return System.getProperty("os.arch");
    }
}
