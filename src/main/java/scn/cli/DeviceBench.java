package scn.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import scn.backend.Device;
import scn.backend.opencl.ClDevice;
import scn.backend.opencl.Devices;
import scn.nn.ModelConfig;
import scn.nn.SpikingCenterNet;
import scn.tensor.SpikeTensor;
import scn.tensor.Tensor;
import scn.train.DeviceTrainStep;

/**
 * The accelerator half of {@code engine bench}: the same figures as the CPU bench, for the whole
 * training step on the device ({@link DeviceTrainStep}), and with {@code --profile} the device time of
 * every kernel from OpenCL profiling events. Wall time per step includes the transfers of the batch in
 * and the loss out; kernel times do not.
 */
final class DeviceBench {
    private DeviceBench() {}

    static int run(
            String spec,
            ModelConfig config,
            int batch,
            int steps,
            int warmup,
            double density,
            boolean profile,
            Path json)
            throws IOException {
        try (ClDevice dev = Devices.openCl(spec)) { // logs the device chosen
            System.out.println(
                    "backend: " + dev.id() + " (" + dev.info().name() + "), whole training step on the device");
            System.out.println("model: " + config + ", batch " + batch + ", input density " + density);
            SpikingCenterNet net = new SpikingCenterNet(config, 1);
            SpikeTensor input = BenchCommand.randomSpikes(config, batch, density, 2);
            Tensor boxes = BenchCommand.randomBoxes(batch, 3);
            try (DeviceTrainStep step = new DeviceTrainStep(dev, net, 1e-4f)) {
                List<Double> train = new ArrayList<>();
                for (int i = 0; i < warmup + steps; i++) {
                    if (i == warmup && profile) {
                        dev.resetKernelTimes();
                        dev.profile(true);
                    }
                    long t0 = System.nanoTime();
                    step.run(input, boxes, 1e-4f); // returns after reading the loss: the step has finished
                    if (i >= warmup) train.add((System.nanoTime() - t0) / 1e6);
                }
                Map<String, Device.KernelTime> kernels = profile ? dev.kernelTimes() : Map.of();
                dev.profile(false);
                List<Double> infer = new ArrayList<>();
                for (int i = 0; i < warmup + steps; i++) {
                    long t0 = System.nanoTime();
                    step.infer(input);
                    if (i >= warmup) infer.add((System.nanoTime() - t0) / 1e6);
                }
                double trainMs = BenchCommand.median(train) / batch, inferMs = BenchCommand.median(infer) / batch;
                long peakMb = BenchCommand.peakRssMb();
                System.out.printf(
                        "training step: %.1f ms per sample (median of %d steps of batch %d)%n", trainMs, steps, batch);
                System.out.printf("inference:     %.1f ms per sample%n", inferMs);
                System.out.printf("peak resident memory (host): %d MB%n", peakMb);
                if (profile) printKernels(kernels, steps);
                if (json != null) {
                    String text = String.format(
                            java.util.Locale.ROOT,
                            "{\"train_ms_per_sample\": %.3f, \"infer_ms_per_sample\": %.3f, \"peak_rss_mb\": %d, \"batch\": %d, \"width\": %s, \"density\": %s, \"backend\": \"%s\", \"device_name\": \"%s\"}%n",
                            trainMs,
                            inferMs,
                            peakMb,
                            batch,
                            config.width(),
                            density,
                            dev.id(),
                            dev.info().name().replace("\"", "'"));
                    Files.writeString(json, text);
                }
            }
        }
        return 0;
    }

    /** Device time per kernel and step, largest first, from the profiling events of the timed steps. */
    private static void printKernels(Map<String, Device.KernelTime> times, int steps) {
        long total = 0;
        for (Device.KernelTime t : times.values()) total += t.nanos();
        System.out.printf(
                "where a training step's device time goes (per step, %.1f ms in kernels):%n", total / 1e6 / steps);
        System.out.printf("  %-40s %10s %8s %7s%n", "kernel", "ms", "launches", "share");
        List<Map.Entry<String, Device.KernelTime>> rows = new ArrayList<>(times.entrySet());
        rows.sort((a, b) -> Long.compare(b.getValue().nanos(), a.getValue().nanos()));
        for (var e : rows) {
            Device.KernelTime t = e.getValue();
            System.out.printf(
                    "  %-40s %10.2f %8d %6.1f%%%n",
                    e.getKey(), t.nanos() / 1e6 / steps, t.launches() / steps, 100.0 * t.nanos() / Math.max(1, total));
        }
    }
}
