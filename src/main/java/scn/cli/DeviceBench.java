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
import scn.detect.SplitDetector;
import scn.nn.ModelConfig;
import scn.nn.SpikingCenterNet;
import scn.tensor.Arena;
import scn.tensor.SpikeTensor;
import scn.tensor.Tensor;
import scn.train.Distillation;
import scn.train.TrainStep;

/**
 * The accelerator half of {@code engine bench}: the same figures as the CPU bench, from the same {@link TrainStep}
 * with the model placed on the device: the student's training step, the ReLU teacher's, the student's step while
 * distilling a teacher (whose forward runs there too, without a tape), and inference; the device memory of
 * training and of inference; and with {@code --profile} the device time of every kernel of the student's step,
 * from OpenCL profiling events. Wall time per step includes the transfers of the batch in and the loss out;
 * kernel times do not.
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
            SpikeTensor input = BenchCommand.randomSpikes(config, batch, density, 2);
            Tensor boxes = BenchCommand.randomBoxes(batch, 3);
            ModelConfig student = config.asTeacher(false), teacherConfig = config.asTeacher(true);

            SpikingCenterNet net = new SpikingCenterNet(student, 1);
            long before = dev.heldBytes();
            net.toDevice(dev, true);
            TrainStep step = new TrainStep(net, 1e-4f);
            List<Double> train = time(() -> step.run(input, boxes, 1e-4f), warmup, steps, profile ? dev : null);
            Map<String, Device.KernelTime> kernels = profile ? dev.kernelTimes() : Map.of();
            dev.profile(false);
            long trainBytes = dev.heldBytes() - before;
            step.optimizer().releaseDevice();
            net.toHost();
            dev.arena().trim();

            before = dev.heldBytes();
            net.toDevice(dev, false);
            SplitDetector.Forward forward = SplitDetector.inference(net, new Arena());
            List<Double> infer = time(() -> forward.apply(input), warmup, steps, null);
            long inferBytes = dev.heldBytes() - before;
            net.toHost();
            dev.arena().trim();

            double teacherMs = stepMs(dev, new SpikingCenterNet(teacherConfig, 1), null, input, boxes, warmup, steps);
            SpikingCenterNet teacher = new SpikingCenterNet(teacherConfig, 1);
            teacher.toDevice(dev, false);
            double distillMs = stepMs(dev, new SpikingCenterNet(student, 1), teacher, input, boxes, warmup, steps);
            teacher.toHost();
            dev.arena().trim();

            double trainMs = BenchCommand.median(train) / batch, inferMs = BenchCommand.median(infer) / batch;
            teacherMs /= batch;
            distillMs /= batch;
            long peakMb = BenchCommand.peakRssMb();
            System.out.printf(
                    "training step: %.1f ms per sample (median of %d steps of batch %d)%n", trainMs, steps, batch);
            System.out.printf("teacher step:  %.1f ms per sample%n", teacherMs);
            System.out.printf(
                    "distillation:  %.1f ms per sample (%.2fx the student's step)%n", distillMs, distillMs / trainMs);
            System.out.printf("inference:     %.1f ms per sample%n", inferMs);
            System.out.printf(
                    "device memory: training %.1f MiB, inference %.1f MiB%n",
                    trainBytes / 1048576.0, inferBytes / 1048576.0);
            System.out.printf("peak resident memory (host): %d MB%n", peakMb);
            if (profile) printKernels(kernels, steps);
            if (json != null) {
                String text = String.format(
                        java.util.Locale.ROOT,
                        "{\"train_ms_per_sample\": %.3f, \"teacher_ms_per_sample\": %.3f,"
                                + " \"distill_ms_per_sample\": %.3f, \"infer_ms_per_sample\": %.3f,"
                                + " \"train_device_mib\": %.1f, \"infer_device_mib\": %.1f, \"peak_rss_mb\": %d,"
                                + " \"batch\": %d, \"width\": %s, \"density\": %s, \"backend\": \"%s\","
                                + " \"device_name\": \"%s\"}%n",
                        trainMs,
                        teacherMs,
                        distillMs,
                        inferMs,
                        trainBytes / 1048576.0,
                        inferBytes / 1048576.0,
                        peakMb,
                        batch,
                        config.width(),
                        density,
                        dev.id(),
                        dev.info().name().replace("\"", "'"));
                Files.writeString(json, text);
            }
        }
        return 0;
    }

    /** The median wall time of a training step of {@code model} on {@code dev} (distilling {@code teacher} if given). */
    private static double stepMs(
            ClDevice dev,
            SpikingCenterNet model,
            SpikingCenterNet teacher,
            SpikeTensor input,
            Tensor boxes,
            int warmup,
            int steps) {
        model.toDevice(dev, true);
        TrainStep step = new TrainStep(model, 1e-4f, teacher, Distillation.SPEC, 1f);
        try {
            return BenchCommand.median(time(() -> step.run(input, boxes, 1e-4f), warmup, steps, null));
        } finally {
            step.optimizer().releaseDevice();
            model.toHost();
        }
    }

    /** Runs {@code body} {@code warmup + steps} times; the wall times of the last {@code steps}, in ms. */
    private static List<Double> time(Runnable body, int warmup, int steps, ClDevice profiled) {
        List<Double> ms = new ArrayList<>();
        for (int i = 0; i < warmup + steps; i++) {
            if (i == warmup && profiled != null) {
                profiled.resetKernelTimes();
                profiled.profile(true);
            }
            long t0 = System.nanoTime();
            body.run(); // a step returns after reading the loss, inference after reading the heads: both finished
            if (i >= warmup) ms.add((System.nanoTime() - t0) / 1e6);
        }
        return ms;
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
