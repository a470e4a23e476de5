package scn.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import scn.autograd.Tape;
import scn.autograd.Var;
import scn.backend.Kernels;
import scn.backend.Profile;
import scn.backend.SpikePath;
import scn.nn.ModelConfig;
import scn.nn.SpikingCenterNet;
import scn.ops.ConvTrace;
import scn.ops.SpikeConv;
import scn.tensor.Arena;
import scn.tensor.SpikeTensor;
import scn.tensor.Tensor;
import scn.train.TrainStep;

/**
 * {@code engine bench}: times a full training step (forward, loss, backward, AdamW) and an inference
 * pass on random binary input of a given density, after warm-up; reports ms per sample, the peak
 * resident memory of the process, and which path (dense or event-driven) each convolution on spikes
 * took at what input density. Several spike paths can be timed side by side in one run.
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Time a training step and an inference pass of the full network on random spikes.")
final class BenchCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Option(names = "--batch", defaultValue = "2", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(
            names = "--steps",
            defaultValue = "3",
            description = "Timed steps after warm-up (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--warmup", defaultValue = "2", description = "Untimed warm-up steps (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(
            names = "--density",
            defaultValue = "0.05",
            description = "Fraction of ones in the input (default: ${DEFAULT-VALUE}).")
    double density;

    @Option(names = "--json", description = "Also write the figures to this JSON file.")
    Path json;

    @Option(names = "--profile", description = "Print where the time goes, per operator kind.")
    boolean profile;

    @Option(names = "--reference", description = "Force the plain scalar reference kernels.")
    boolean reference;

    @Option(
            names = "--distill",
            description =
                    "Time a distilled student's step: each training step also runs a ReLU teacher's "
                            + "forward pass (random weights, no tape) and the distillation term, as the main job's student does.")
    boolean distill;

    @Option(
            names = "--inference-batch-stats",
            description =
                    "Run inference with batch statistics, as in training, instead of the running ones: "
                            + "an untrained model's running statistics leave the layers after the stem nearly silent, which flatters event-driven inference.")
    boolean inferenceBatchStats;

    @Option(
            names = "--spikes",
            defaultValue = "auto",
            description =
                    "Convolutions on spikes: dense, sparse (event-driven) or auto, by measured density; "
                            + "a comma list (dense,sparse,auto) times each in turn, steps alternating, and compares with the first (default: ${DEFAULT-VALUE}).")
    String spikes;

    @Mixin
    DeviceOption device;

    @Override
    public Integer call() throws IOException {
        if (batch < 1 || steps < 1 || warmup < 0 || !(density >= 0 && density <= 1)) {
            System.err.println("bench: --batch and --steps must be >= 1, --warmup >= 0, --density in [0, 1]");
            return 2;
        }
        List<SpikePath.Mode> modes = new ArrayList<>();
        for (String m : spikes.split(",")) modes.add(SpikePath.parse(m));
        SpikePath.Mode traced = modes.get(modes.size() - 1); // the path table and the profile follow the last mode
        ModelConfig config = model.config();
        if (distill && config.teacher()) {
            System.err.println("bench: --distill times a student's step; it does not apply to --teacher");
            return 2;
        }
        if (distill && !device.onCpu()) {
            System.err.println("bench: --distill runs on the CPU only");
            return 2;
        }
        if (!device.onCpu()) {
            if (reference) {
                System.err.println(
                        "bench: --reference selects CPU kernels; it does not apply to --device " + device.spec());
                return 2;
            }
            return DeviceBench.run(device.spec(), config, batch, steps, warmup, density, profile, json);
        }
        Kernels.forceReference(reference);
        System.out.println("backend: " + Kernels.describe());
        for (SpikePath.Mode m : modes) {
            SpikePath.force(m);
            System.out.println("spike convolutions: " + SpikePath.describe());
        }
        System.out.println("model: " + config + ", batch " + batch + ", input density " + density
                + (distill ? ", distilling a ReLU teacher's heatmap" : ""));
        SpikingCenterNet net = new SpikingCenterNet(config, 1);
        SpikingCenterNet teacher = distill ? new SpikingCenterNet(config.asTeacher(true), 3) : null;
        TrainStep trainStep = new TrainStep(net, 1e-4f, teacher);
        SpikeTensor input = randomSpikes(config, batch, density, 2);
        Tensor boxes = randomBoxes(batch, 3);

        // With several modes the steps alternate between them, so that a busy machine slows all alike.
        Map<SpikePath.Mode, List<Double>> train = new java.util.EnumMap<>(SpikePath.Mode.class);
        Map<SpikePath.Mode, List<Double>> infer = new java.util.EnumMap<>(SpikePath.Mode.class);
        for (SpikePath.Mode m : modes) {
            train.put(m, new ArrayList<>());
            infer.put(m, new ArrayList<>());
        }
        for (int i = 0; i < warmup + steps; i++) {
            for (SpikePath.Mode m : modes) {
                SpikePath.force(m);
                boolean trace = i >= warmup && m == traced;
                ConvTrace.enable(trace);
                Profile.enable(trace && profile);
                if (trace && i == warmup) {
                    ConvTrace.reset();
                    Profile.reset();
                }
                long t0 = System.nanoTime();
                trainStep.run(input, boxes, 1e-4f);
                if (i >= warmup) train.get(m).add((System.nanoTime() - t0) / 1e6);
                Profile.enable(false);
                ConvTrace.enable(false);
            }
        }
        List<ConvTrace.Row> trainPaths = ConvTrace.rows();
        long heldMb = trainStep.arena().allocatedBytes() >> 20,
                peakInUseMb = trainStep.arena().peakInUseBytes() >> 20;
        Map<String, long[]> trainProfile = Profile.snapshot();
        Map<String, Long> layerProfile = Profile.layers();

        Arena inferenceArena = trainStep.arena(); // inference reuses the training step's arrays
        ConvTrace.reset();
        Profile.reset();
        for (int i = 0; i < warmup + steps; i++) {
            for (SpikePath.Mode m : modes) {
                SpikePath.force(m);
                ConvTrace.enable(i >= warmup && m == traced);
                Profile.enable(i >= warmup && m == traced && profile);
                long t0 = System.nanoTime();
                inferenceArena.reset();
                try (var scope = Tape.noGrad();
                        var arena = inferenceArena.activate()) {
                    net.forward(Var.constant(input), inferenceBatchStats);
                }
                if (i >= warmup) infer.get(m).add((System.nanoTime() - t0) / 1e6);
                Profile.enable(false);
                ConvTrace.enable(false);
            }
        }
        List<ConvTrace.Row> inferPaths = ConvTrace.rows();
        Map<String, long[]> inferProfile = Profile.snapshot();
        Map<String, Long> inferLayerProfile = Profile.layers();
        long peakMb = peakRssMb();
        StringBuilder jsonText = new StringBuilder();
        for (SpikePath.Mode m : modes) {
            String name = m.name().toLowerCase(java.util.Locale.ROOT);
            String tag = modes.size() > 1 ? " [spikes " + name + "]" : "";
            double trainMs = median(train.get(m)) / batch, inferMs = median(infer.get(m)) / batch;
            System.out.printf(
                    "training step: %.1f ms per sample (median of %d steps of batch %d)%s%n",
                    trainMs, steps, batch, tag);
            System.out.printf("inference:     %.1f ms per sample%s%n", inferMs, tag);
            if (m != modes.get(0)) {
                System.out.printf(
                        "  vs spikes %s: training %.2fx, inference %.2fx faster%n",
                        modes.get(0).name().toLowerCase(java.util.Locale.ROOT),
                        median(train.get(modes.get(0))) / median(train.get(m)),
                        median(infer.get(modes.get(0))) / median(infer.get(m)));
            }
            jsonText.append(jsonText.isEmpty() ? "" : ",\n")
                    .append(String.format(
                            java.util.Locale.ROOT,
                            "{\"train_ms_per_sample\": %.3f, \"infer_ms_per_sample\": %.3f, \"peak_rss_mb\": %d, \"arena_held_mb\": %d, \"arena_peak_in_use_mb\": %d, \"batch\": %d, \"width\": %s, \"density\": %s, \"backend\": \"%s\", \"spikes\": \"%s\"}",
                            trainMs,
                            inferMs,
                            peakMb,
                            heldMb,
                            peakInUseMb,
                            batch,
                            config.width(),
                            density,
                            reference ? "cpu-reference" : "cpu",
                            name));
        }
        System.out.printf(
                "peak resident memory: %d MB%s (arrays recycled between steps: %d MB held, at most %d MB in use at once)%n",
                peakMb, modes.size() > 1 ? " for all modes together" : "", heldMb, peakInUseMb);
        printSpikePaths(
                trainPaths,
                "a training step"
                        + (modes.size() > 1 ? " with spikes " + traced.name().toLowerCase(java.util.Locale.ROOT) : ""));
        printSpikePathSummary(inferPaths, "inference");
        if (profile) {
            printProfile("a training step", "forward and backward", trainProfile, layerProfile, steps);
            printProfile("an inference pass", "forward", inferProfile, inferLayerProfile, steps);
        }
        if (json != null) Files.writeString(json, modes.size() > 1 ? "[" + jsonText + "]\n" : jsonText + "\n");
        return 0;
    }

    static SpikeTensor randomSpikes(ModelConfig c, int batch, double density, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        byte[] b = new byte
                [c.timeSteps()
                        * batch
                        * ModelConfig.INPUT_CHANNELS
                        * ModelConfig.INPUT_HEIGHT
                        * ModelConfig.INPUT_WIDTH];
        for (int i = 0; i < b.length; i++) b[i] = (byte) (r.nextDouble() < density ? 1 : 0);
        return SpikeTensor.wrapTrusted(
                b, c.timeSteps(), batch, ModelConfig.INPUT_CHANNELS, ModelConfig.INPUT_HEIGHT, ModelConfig.INPUT_WIDTH);
    }

    /** {@code [B, n, 5]} cars and pedestrians of plausible sizes inside the sensor frame. */
    static Tensor randomBoxes(int batch, int n) {
        SplittableRandom r = new SplittableRandom(3);
        Tensor t = Tensor.zeros(batch, n, 5);
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < n; i++) {
                float w = (float) r.nextDouble(20, 100), h = (float) r.nextDouble(20, 80);
                float x = (float) r.nextDouble(0, ModelConfig.SENSOR_WIDTH - w),
                        y = (float) r.nextDouble(0, ModelConfig.SENSOR_HEIGHT - h);
                float[] row = {x, y, w, h, r.nextInt(2)};
                System.arraycopy(row, 0, t.data(), (b * n + i) * 5, 5);
            }
        }
        return t;
    }

    /**
     * Which path each convolution on spikes took, the mean density of its input, and the crossover
     * densities {@code auto} holds it to: measured on the layer's own shape ({@code shape}) or its
     * kind's fallback ({@code kind}).
     */
    static void printSpikePaths(List<ConvTrace.Row> rows, String during) {
        if (rows.isEmpty()) return;
        System.out.println("convolutions on spikes during " + during
                + ": input density, path (forward, weight gradient) and the crossovers of auto:");
        System.out.printf(
                "  %-34s %-21s %-20s %8s  %-7s %-7s %s%n",
                "layer", "kind", "input", "density", "forward", "weight", "crossover fwd/wgrad");
        for (ConvTrace.Row r : rows) {
            SpikeConv.Crossover c = r.crossover();
            String crossover = String.format(
                    java.util.Locale.ROOT, "%.1f/%.1f%% %s", 100 * c.forward(), 100 * c.weightGradient(), c.source());
            System.out.printf(
                    "  %-34s %-21s %-20s %7.1f%%  %-7s %-7s %s%n",
                    r.layer(), r.kind(), r.input(), 100 * r.density(), r.forwardPath(), r.weightPath(), crossover);
        }
    }

    /**
     * One line: how many convolutions on spikes ran event-driven, their input densities, and how many
     * took their crossover from their own shape rather than their kind.
     */
    private static void printSpikePathSummary(List<ConvTrace.Row> rows, String during) {
        if (rows.isEmpty()) return;
        int sparse = 0, fromShape = 0;
        double lo = 1, hi = 0, sum = 0;
        for (ConvTrace.Row r : rows) {
            if (r.forwardPath().equals("sparse")) sparse++;
            if (r.crossover().fromShape()) fromShape++;
            lo = Math.min(lo, r.density());
            hi = Math.max(hi, r.density());
            sum += r.density();
        }
        System.out.printf(
                "convolutions on spikes during %s: %d of %d event-driven; input density %.1f%% to %.1f%%, mean %.1f%%; "
                        + "crossovers of %d measured on their shape, %d by kind%n",
                during,
                sparse,
                rows.size(),
                100 * lo,
                100 * hi,
                100 * sum / rows.size(),
                fromShape,
                rows.size() - fromShape);
    }

    static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    /** VmHWM from /proc/self/status (Linux), in MB; -1 where unavailable. */
    static long peakRssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    private static void printProfile(
            String what, String passes, Map<String, long[]> p, Map<String, Long> layers, int steps) {
        long total = 0;
        for (long[] v : p.values()) total += v[0];
        System.out.println("where " + what + "'s operator time goes (per step):");
        System.out.printf("  %-28s %10s %8s %7s%n", "operator", "ms", "calls", "share");
        List<Map.Entry<String, long[]>> rows = new ArrayList<>(p.entrySet());
        rows.sort((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0]));
        for (var e : rows) {
            System.out.printf(
                    "  %-28s %10.1f %8d %6.1f%%%n",
                    e.getKey(),
                    e.getValue()[0] / 1e6 / steps,
                    e.getValue()[1] / steps,
                    100.0 * e.getValue()[0] / total);
        }
        System.out.println("per layer, " + passes + " (per step):");
        System.out.printf("  %-28s %10s %7s%n", "layer", "ms", "share");
        for (var e : layers.entrySet()) {
            System.out.printf(
                    "  %-28s %10.1f %6.1f%%%n", e.getKey(), e.getValue() / 1e6 / steps, 100.0 * e.getValue() / total);
        }
    }
}
