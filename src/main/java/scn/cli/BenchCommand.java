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
import scn.nn.ModelConfig;
import scn.nn.SpikingCenterNet;
import scn.tensor.Arena;
import scn.tensor.SpikeTensor;
import scn.tensor.Tensor;
import scn.train.TrainStep;

/**
 * {@code engine bench}: times a full training step (forward, loss, backward, AdamW) and an inference
 * pass on random binary input of a given density, after warm-up; reports ms per sample and the peak
 * resident memory of the process.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Time a training step and an inference pass of the full network on random spikes.")
final class BenchCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Option(names = "--batch", defaultValue = "2", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--steps", defaultValue = "3", description = "Timed steps after warm-up (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--warmup", defaultValue = "2", description = "Untimed warm-up steps (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--density", defaultValue = "0.05", description = "Fraction of ones in the input (default: ${DEFAULT-VALUE}).")
    double density;

    @Option(names = "--json", description = "Also write the figures to this JSON file.")
    Path json;

    @Option(names = "--profile", description = "Print where the time goes, per operator kind.")
    boolean profile;

    @Option(names = "--reference", description = "Force the plain scalar reference kernels.")
    boolean reference;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu, or opencl[:N] for the whole training step on an OpenCL device (default: ${DEFAULT-VALUE}).")
    String device;

    @Override
    public Integer call() throws IOException {
        if (batch < 1 || steps < 1 || warmup < 0 || !(density >= 0 && density <= 1)) {
            System.err.println("bench: --batch and --steps must be >= 1, --warmup >= 0, --density in [0, 1]");
            return 2;
        }
        ModelConfig config = model.config();
        if (!device.trim().equalsIgnoreCase("cpu")) {
            if (reference) {
                System.err.println("bench: --reference selects CPU kernels; it does not apply to --device " + device);
                return 2;
            }
            return DeviceBench.run(device, config, batch, steps, warmup, density, profile, json);
        }
        Kernels.forceReference(reference);
        System.out.println("backend: " + Kernels.describe());
        System.out.println("model: " + config + ", batch " + batch + ", input density " + density);
        SpikingCenterNet net = new SpikingCenterNet(config, 1);
        TrainStep trainStep = new TrainStep(net, 1e-4f);
        SpikeTensor input = randomSpikes(config, batch, density, 2);
        Tensor boxes = randomBoxes(batch, 3);

        List<Double> train = new ArrayList<>();
        for (int i = 0; i < warmup + steps; i++) {
            if (i == warmup && profile) {
                Profile.reset();
                Profile.enable(true);
            }
            long t0 = System.nanoTime();
            trainStep.run(input, boxes, 1e-4f);
            if (i >= warmup) train.add((System.nanoTime() - t0) / 1e6);
        }
        Profile.enable(false);
        Map<String, long[]> trainProfile = Profile.snapshot();
        Map<String, Long> layerProfile = Profile.layers();

        List<Double> infer = new ArrayList<>();
        Arena inferenceArena = trainStep.arena(); // inference reuses the training step's arrays
        for (int i = 0; i < warmup + steps; i++) {
            long t0 = System.nanoTime();
            inferenceArena.reset();
            try (var scope = Tape.noGrad(); var arena = inferenceArena.activate()) {
                net.forward(Var.constant(input), false);
            }
            if (i >= warmup) infer.add((System.nanoTime() - t0) / 1e6);
        }
        double trainMs = median(train) / batch, inferMs = median(infer) / batch;
        long peakMb = peakRssMb();
        System.out.printf("training step: %.1f ms per sample (median of %d steps of batch %d)%n", trainMs, steps, batch);
        System.out.printf("inference:     %.1f ms per sample%n", inferMs);
        System.out.printf("peak resident memory: %d MB (arrays recycled between steps: %d MB)%n", peakMb, trainStep.arena().allocatedBytes() >> 20);
        if (profile) printProfile(trainProfile, layerProfile, steps);
        if (json != null) {
            String text = String.format(java.util.Locale.ROOT,
                    "{\"train_ms_per_sample\": %.3f, \"infer_ms_per_sample\": %.3f, \"peak_rss_mb\": %d, \"batch\": %d, \"width\": %s, \"density\": %s, \"backend\": \"%s\"}%n",
                    trainMs, inferMs, peakMb, batch, config.width(), density, reference ? "cpu-reference" : "cpu");
            Files.writeString(json, text);
        }
        return 0;
    }

    static SpikeTensor randomSpikes(ModelConfig c, int batch, double density, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        byte[] b = new byte[c.timeSteps() * batch * ModelConfig.INPUT_CHANNELS * ModelConfig.INPUT_HEIGHT * ModelConfig.INPUT_WIDTH];
        for (int i = 0; i < b.length; i++) b[i] = (byte) (r.nextDouble() < density ? 1 : 0);
        return SpikeTensor.wrapTrusted(b, c.timeSteps(), batch, ModelConfig.INPUT_CHANNELS, ModelConfig.INPUT_HEIGHT, ModelConfig.INPUT_WIDTH);
    }

    /** {@code [B, n, 5]} cars and pedestrians of plausible sizes inside the sensor frame. */
    static Tensor randomBoxes(int batch, int n) {
        SplittableRandom r = new SplittableRandom(3);
        Tensor t = Tensor.zeros(batch, n, 5);
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < n; i++) {
                float w = (float) r.nextDouble(20, 100), h = (float) r.nextDouble(20, 80);
                float x = (float) r.nextDouble(0, ModelConfig.SENSOR_WIDTH - w), y = (float) r.nextDouble(0, ModelConfig.SENSOR_HEIGHT - h);
                float[] row = {x, y, w, h, r.nextInt(2)};
                System.arraycopy(row, 0, t.data(), (b * n + i) * 5, 5);
            }
        }
        return t;
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

    private static void printProfile(Map<String, long[]> p, Map<String, Long> layers, int steps) {
        long total = 0;
        for (long[] v : p.values()) total += v[0];
        System.out.println("where a training step's operator time goes (per step):");
        System.out.printf("  %-28s %10s %8s %7s%n", "operator", "ms", "calls", "share");
        List<Map.Entry<String, long[]>> rows = new ArrayList<>(p.entrySet());
        rows.sort((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0]));
        for (var e : rows) {
            System.out.printf("  %-28s %10.1f %8d %6.1f%%%n", e.getKey(), e.getValue()[0] / 1e6 / steps, e.getValue()[1] / steps, 100.0 * e.getValue()[0] / total);
        }
        System.out.println("per layer, forward and backward (per step):");
        System.out.printf("  %-28s %10s %7s%n", "layer", "ms", "share");
        for (var e : layers.entrySet()) {
            System.out.printf("  %-28s %10.1f %6.1f%%%n", e.getKey(), e.getValue() / 1e6 / steps, 100.0 * e.getValue() / total);
        }
    }
}
