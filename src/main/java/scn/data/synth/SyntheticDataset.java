package scn.data.synth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.stream.Stream;
import scn.data.Boxes;
import scn.data.CacheDir;
import scn.data.DatWriter;

/**
 * The built-in synthetic event-camera dataset: street scenes ({@link Scene}) on a 304x240 sensor turned
 * into events by an ESIM-style simulator ({@link EventSimulator}), written in the GEN1 layout
 * ({@code train/ val/ test/} folders of {@code *_td.dat} + {@code *_bbox.npy}) so everything that reads
 * GEN1 reads it too.
 *
 * <p>Output is a pure function of the configuration: each sequence draws from its own generator seeded by
 * (seed, sequence index), so the bytes do not depend on the number of threads. The default
 * configuration ({@link Config#defaults()}) gives 64 sequences of 5 s, about 3,100 labelled samples at
 * 10 Hz (about 2,500 for training), and is what training uses when no data is given
 * ({@link #ensureDefault()}).
 */
public final class SyntheticDataset {
    public static final String VERSION = "synth-v2";
    public static final int WIDTH = 304;
    public static final int HEIGHT = 240;
    static final String MANIFEST = "synth.properties";

    /** What to generate; {@code threads} only changes speed, never the output. */
    public record Config(int sequences, long seed, double durationS, double labelHz, int frameStepUs, int threads) {
        public Config {
            if (sequences < 1) throw new IllegalArgumentException("need at least one sequence, got " + sequences);
            if (!(durationS > 0.1) || !(labelHz > 0) || frameStepUs < 100 || threads < 1) {
                throw new IllegalArgumentException("bad synthetic dataset settings: " + this);
            }
        }

        /** 64 sequences of 5 s, labels at 10 Hz, frames every 5 ms, seed 1, one thread per core. */
        public static Config defaults() {
            return new Config(64, 1, 5.0, 10.0, 5000, Runtime.getRuntime().availableProcessors());
        }

        public Config with(int sequences, long seed) {
            return new Config(sequences, seed, durationS, labelHz, frameStepUs, threads);
        }

        /** The manifest text: every setting that changes the output, in a fixed order. */
        String manifest() {
            return "version=" + VERSION + "\nsequences=" + sequences + "\nseed=" + seed + "\nduration_s=" + durationS
                    + "\nlabel_hz=" + labelHz + "\nframe_step_us=" + frameStepUs + "\nsensor=" + WIDTH + "x" + HEIGHT
                    + "\n";
        }
    }

    private SyntheticDataset() {}

    /** Generates {@code sequences} sequences with the default settings and the given seed into {@code out}. */
    public static void generate(Path out, int sequences, long seed) throws IOException {
        generate(out, Config.defaults().with(sequences, seed), s -> {});
    }

    /**
     * Generates the dataset described by {@code cfg} into {@code out}, reporting each finished sequence to {@code log}.
     */
    public static void generate(Path out, Config cfg, Consumer<String> log) throws IOException {
        for (String split : List.of("train", "val", "test")) Files.createDirectories(out.resolve(split));
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(cfg.threads(), cfg.sequences()));
        try {
            List<Future<String>> done = new ArrayList<>();
            for (int i = 0; i < cfg.sequences(); i++) {
                int index = i;
                Path dir = out.resolve(split(index, cfg.sequences()));
                done.add(pool.submit(() -> sequence(dir, index, cfg)));
            }
            for (Future<String> f : done) log.accept(f.get());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while generating " + out, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) throw io;
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
        Files.writeString(out.resolve(MANIFEST), cfg.manifest(), StandardCharsets.UTF_8);
    }

    /**
     * The split of sequence {@code i} of {@code n}: a tenth each (at least one once n >= 3) to val and test, the rest
     * to train.
     */
    static String split(int i, int n) {
        int held = n >= 3 ? Math.max(1, (int) Math.round(n * 0.1)) : 0;
        if (i < n - 2 * held) return "train";
        return i < n - held ? "val" : "test";
    }

    /** Simulates one sequence and writes its two files; returns a one-line summary. */
    static String sequence(Path dir, int index, Config cfg) throws IOException {
        SplittableRandom rnd = new SplittableRandom(mix(cfg.seed(), index));
        Scene scene = new Scene(rnd.split(), WIDTH, HEIGHT, cfg.durationS());
        SplittableRandom sensor = rnd.split();
        EventSimulator sim = new EventSimulator(
                WIDTH,
                HEIGHT,
                sensor,
                0.17 + 0.06 * sensor.nextDouble(),
                0.03,
                200 + sensor.nextInt(800),
                0.05 + 0.35 * sensor.nextDouble(),
                sensor.nextInt(9),
                2 + 18 * sensor.nextDouble());
        Canvas canvas = new Canvas(WIDTH, HEIGHT);
        scene.render(canvas, 0);
        sim.reset(canvas.value);
        String name = String.format("synth_%04d", index);
        long durationUs = Math.round(cfg.durationS() * 1e6);
        long labelPeriod = Math.round(1e6 / cfg.labelHz());
        long nextLabel = labelPeriod;
        Boxes boxes = new Boxes();
        long events = 0;
        try (DatWriter w = DatWriter.create(dir.resolve(name + "_td.dat"), WIDTH, HEIGHT)) {
            for (long t0 = 0; t0 < durationUs; t0 += cfg.frameStepUs()) {
                long t1 = Math.min(durationUs, t0 + cfg.frameStepUs());
                scene.render(canvas, t1 * 1e-6);
                events += sim.step(canvas.value, t0, t1, w);
                for (; nextLabel <= t1 && nextLabel < durationUs; nextLabel += labelPeriod)
                    scene.labels(canvas, nextLabel, boxes);
            }
        }
        boxes.write(dir.resolve(name + "_bbox.npy"));
        return name + ": " + events + " events, " + boxes.size() + " boxes";
    }

    /** A well-mixed seed for sequence {@code index} (SplitMix64 finaliser). */
    static long mix(long seed, long index) {
        long z = seed * 0x9E3779B97F4A7C15L + index * 0xD1B54A32D192ED03L + 0x632BE59BD9B4E019L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The default dataset under {@link CacheDir#root()}, generated on first use. */
    public static Path ensureDefault() throws IOException {
        return ensureDefault(CacheDir.root());
    }

    /** The default dataset in {@code cacheDir/synth-v2}, generated there once, announcing it on standard error. */
    public static Path ensureDefault(Path cacheDir) throws IOException {
        return ensureDefault(cacheDir, msg -> System.err.println(msg));
    }

    /**
     * The default dataset in {@code cacheDir/synth-v2}, generated there once: generation writes into a
     * temporary sibling and renames it, so an interrupted run leaves nothing that looks complete.
     */
    public static Path ensureDefault(Path cacheDir, Consumer<String> log) throws IOException {
        return ensure(cacheDir, Config.defaults(), log);
    }

    /** {@link #ensureDefault(Path, Consumer)} for another configuration (tests use a tiny one). */
    static Path ensure(Path cacheDir, Config cfg, Consumer<String> log) throws IOException {
        Path dir = cacheDir.resolve(VERSION);
        if (isComplete(dir, cfg)) return dir;
        Files.createDirectories(cacheDir);
        Path tmp = cacheDir.resolve(VERSION + ".tmp-" + ProcessHandle.current().pid());
        deleteTree(tmp);
        log.accept("generating the synthetic dataset (" + cfg.sequences() + " sequences) into " + dir + " (once)");
        long start = System.nanoTime();
        generate(tmp, cfg, s -> {});
        if (Files.exists(dir) && !isComplete(dir, cfg)) deleteTree(dir); // a stale or older version
        try {
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
            deleteTree(tmp); // another process finished first; its copy is identical
            if (!isComplete(dir, cfg)) throw new IOException("could not move " + tmp + " to " + dir, e);
        }
        log.accept(String.format("generated in %.1f s", (System.nanoTime() - start) * 1e-9));
        return dir;
    }

    private static boolean isComplete(Path dir, Config cfg) throws IOException {
        Path manifest = dir.resolve(MANIFEST);
        return Files.isRegularFile(manifest)
                && Files.readString(manifest, StandardCharsets.UTF_8).equals(cfg.manifest());
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            s.sorted(Comparator.reverseOrder()).forEach(q -> {
                try {
                    Files.delete(q);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
