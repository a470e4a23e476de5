package scn.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import scn.data.Batch;
import scn.data.DatFile;
import scn.data.DatWriter;
import scn.data.DataLoader;
import scn.data.Dataset;
import scn.data.Encoder;
import scn.data.events.Events;
import scn.data.synth.SyntheticDataset;

/**
 * Measures the data path against its goals and prints the figures: decoding from a warm page cache
 * (goal ≥ 100 M events/s on one core), encoding a 100 ms window of 200 k events (goal ≤ 5 ms), and the
 * loader's batch-of-8 throughput and the CPU time it spends per batch (goal: at most one core while
 * feeding a training step).
 *
 * <p>Run: {@code java --add-modules=jdk.incubator.vector -cp bench/target/benchmarks.jar scn.bench.DataBench [DATA_DIR]};
 * without a data folder it generates a small synthetic one in a temporary folder.
 */
public final class DataBench {
    private DataBench() {}

    public static void main(String[] args) throws IOException {
        Path tmp = Files.createTempDirectory("scn-databench");
        try {
            decode(tmp);
            encode();
            Path data = args.length > 0 ? Path.of(args[0]) : synth(tmp);
            loader(data);
        } finally {
            try (var s = Files.walk(tmp)) {
                s.sorted(java.util.Comparator.reverseOrder())
                        .forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void decode(Path tmp) throws IOException {
        int n = 20_000_000;
        Path file = tmp.resolve("bench_td.dat");
        Random rnd = new Random(1);
        try (DatWriter w = DatWriter.create(file, 304, 240)) {
            for (int i = 0; i < n; i++) w.write(i / 4, rnd.nextInt(304), rnd.nextInt(240), rnd.nextInt(2));
        }
        try (DatFile f = DatFile.open(file)) {
            Events ev = new Events(1 << 20);
            double best = Double.MAX_VALUE;
            long check = 0;
            for (int rep = 0; rep < 6; rep++) { // the first passes warm the page cache and the JIT
                long start = System.nanoTime();
                for (long from = 0; from < n; from += 1 << 20) {
                    f.read(from, Math.min(n, from + (1 << 20)), ev);
                    check += ev.t()[ev.size() - 1] + ev.x()[0];
                }
                best = Math.min(best, (System.nanoTime() - start) * 1e-9);
            }
            System.out.printf(
                    "decode: %d events (%d MB) in %.1f ms on one thread = %.0f M events/s (checksum %d)%n",
                    n, 8L * n >> 20, best * 1e3, n / best * 1e-6, check % 1000);
        }
    }

    private static void encode() {
        int n = 200_000;
        Events ev = new Events(n);
        Random rnd = new Random(2);
        long tL = 1_000_000;
        for (int i = 0; i < n; i++)
            ev.add(tL - 100_000 + (long) i * 100_000 / n, rnd.nextInt(304), rnd.nextInt(240), rnd.nextInt(2));
        byte[] out = new byte[Encoder.STEPS * Encoder.CHANNELS * 240 * 304]; // [T, C, H, W]
        double[] ms = new double[60];
        int ones = 0;
        for (int rep = 0; rep < ms.length; rep++) {
            long start = System.nanoTime();
            Arrays.fill(out, (byte) 0);
            ones += Encoder.encode(ev, 0, n, tL, 304, false, out, Encoder.Layout.dense(240, 304));
            ms[rep] = (System.nanoTime() - start) * 1e-6;
        }
        Arrays.sort(ms);
        System.out.printf(
                "encode: a 100 ms window of %d events into [5, 4, 240, 304] (clearing included): median %.2f ms, best %.2f ms (%d)%n",
                n, ms[ms.length / 2], ms[0], ones % 10);
    }

    private static Path synth(Path tmp) throws IOException {
        Path out = tmp.resolve("synth");
        SyntheticDataset.Config cfg = new SyntheticDataset.Config(
                12, 1, 5.0, 10, 5000, Runtime.getRuntime().availableProcessors());
        long start = System.nanoTime();
        SyntheticDataset.generate(out, cfg, s -> {});
        System.out.printf(
                "synth: %d sequences of %.0f s generated in %.1f s%n",
                cfg.sequences(), cfg.durationS(), (System.nanoTime() - start) * 1e-9);
        return out;
    }

    private static void loader(Path data) throws IOException {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        try (Dataset ds = Dataset.open(data, "train")) {
            for (int epoch = 0; epoch < 2; epoch++) { // the first epoch warms the JIT and the page cache
                try (DataLoader loader = new DataLoader(ds, DataLoader.Options.of(8, 1, true, true))) {
                    long start = System.nanoTime();
                    long mainCpu = mx.getCurrentThreadCpuTime();
                    int samples = 0;
                    int batches = 0;
                    for (Batch b : loader.epoch(epoch)) {
                        samples += b.size();
                        batches++;
                    }
                    double wall = (System.nanoTime() - start) * 1e-9;
                    double workerCpu = loader.workerCpuNanos() * 1e-9;
                    double consumerCpu = (mx.getCurrentThreadCpuTime() - mainCpu) * 1e-9;
                    if (epoch == 1) {
                        System.out.printf(
                                "loader: %d samples in %d batches of 8 in %.2f s = %.0f samples/s, %.1f ms per batch; "
                                        + "worker CPU %.2f s (%.1f ms per batch, %.0f%% of one core while running flat out), consumer CPU %.2f s%n",
                                samples,
                                batches,
                                wall,
                                samples / wall,
                                wall * 1e3 / batches,
                                workerCpu,
                                workerCpu * 1e3 / batches,
                                100 * workerCpu / wall,
                                consumerCpu);
                    }
                }
            }
        }
    }
}
