package scn.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import scn.autograd.Var;
import scn.nn.ModelConfig;
import scn.nn.Probe;
import scn.nn.SpikingCenterNet;
import scn.tensor.SpikeTensor;
import scn.tensor.Tensor;
import scn.train.TrainStep;

/**
 * What a training step holds, next to what a float-dense engine would keep for its backward pass.
 * Runs training steps on random spikes (density 5 %) and prints one Markdown row: the arrays the
 * step's arena holds after the first step and once it has planned them, the most in use at once, the
 * process's peak resident memory, and the dense figure with the two ratios.
 *
 * <p>The dense figure counts, from the layer shapes of the same step (through a {@link Probe}), what
 * PyTorch with a multi-step PLIF kernel keeps between forward and backward, all in float32: every
 * convolution's input (each tensor once), every batch norm's input (the convolution's output; the
 * heads' output convolutions have none), every PLIF's membrane potential, and the max-pool's input and
 * indices (int32, where PyTorch keeps int64). It leaves out a dense engine's gradients and
 * temporaries, so the ratios are upper bounds.
 *
 * <p>{@code java --add-modules=jdk.incubator.vector -XX:+UseSerialGC -cp bench/target/benchmarks.jar
 * scn.bench.MemoryTable WIDTH BATCH [STEPS]}
 */
public final class MemoryTable {
    private MemoryTable() {}

    /** The dense engine's saved tensors, counted as the forward pass reports its convolutions. */
    static final class DenseCount implements Probe.Listener {
        private final Set<Object> inputs = Collections.newSetFromMap(new IdentityHashMap<>());
        long bytes;

        @Override
        public void conv(
                String name, Var input, int cout, int kernel, int stride, int pad, int groups, int outH, int outW) {
            int[] s = input.shape();
            long in = 1;
            for (int d : s) in *= d;
            long images = in / ((long) s[s.length - 3] * s[s.length - 2] * s[s.length - 1]);
            long out = images * cout * outH * outW;
            Object storage = input.spikes() != null
                    ? input.spikes().data()
                    : input.value().data();
            if (inputs.add(storage)) bytes += 4 * in; // the convolution's input
            boolean headOutput = name.endsWith(".out"), downsample = name.contains("downsample");
            if (!headOutput) bytes += 4 * out; // the batch norm's input
            if (!headOutput && !downsample) bytes += 4 * out; // the PLIF's membrane potential
            if (name.equals("encoder.stem.conv"))
                bytes += 4 * out + 4 * (out / 4); // max-pool 3x3/2: its input, and int32 indices per output
        }

        @Override
        public void add(String name, long elements) {}
    }

    public static void main(String[] args) throws IOException {
        double width = Double.parseDouble(args[0]);
        int batch = Integer.parseInt(args[1]), steps = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        ModelConfig config = new ModelConfig(width, 1.5, 5, 2, false);
        TrainStep step = new TrainStep(new SpikingCenterNet(config, 1), 1e-4f);
        SpikeTensor input = spikes(config, batch);
        Tensor boxes = boxes(batch);
        DenseCount dense = new DenseCount();
        Probe.watch(dense, () -> step.run(input, boxes, 1e-4f));
        long firstHeld = step.arena().allocatedBytes();
        for (int i = 1; i < steps; i++) step.run(input, boxes, 1e-4f);
        long held = step.arena().allocatedBytes(), peak = step.arena().peakInUseBytes();
        System.out.println(
                "| width | batch | held after step 1 MB | held MB | peak in use MB | peak RSS MB | dense keeps MB | held / dense | in use / dense |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        System.out.printf(
                Locale.ROOT,
                "| %s | %d | %d | %d | %d | %d | %d | %.2f | %.2f |%n",
                width,
                batch,
                firstHeld >> 20,
                held >> 20,
                peak >> 20,
                peakRssMb(),
                dense.bytes >> 20,
                (double) held / dense.bytes,
                (double) peak / dense.bytes);
    }

    private static SpikeTensor spikes(ModelConfig c, int batch) {
        SplittableRandom r = new SplittableRandom(2);
        byte[] b = new byte
                [c.timeSteps()
                        * batch
                        * ModelConfig.INPUT_CHANNELS
                        * ModelConfig.INPUT_HEIGHT
                        * ModelConfig.INPUT_WIDTH];
        for (int i = 0; i < b.length; i++) b[i] = (byte) (r.nextDouble() < 0.05 ? 1 : 0);
        return SpikeTensor.wrapTrusted(
                b, c.timeSteps(), batch, ModelConfig.INPUT_CHANNELS, ModelConfig.INPUT_HEIGHT, ModelConfig.INPUT_WIDTH);
    }

    /** {@code [B, 3, 5]}: three boxes per sample inside the sensor frame. */
    private static Tensor boxes(int batch) {
        SplittableRandom r = new SplittableRandom(3);
        Tensor t = Tensor.zeros(batch, 3, 5);
        for (int i = 0; i < batch * 3; i++) {
            float w = (float) r.nextDouble(20, 100), h = (float) r.nextDouble(20, 80);
            float[] row = {
                (float) r.nextDouble(0, ModelConfig.SENSOR_WIDTH - w),
                (float) r.nextDouble(0, ModelConfig.SENSOR_HEIGHT - h),
                w,
                h,
                r.nextInt(2)
            };
            System.arraycopy(row, 0, t.data(), i * 5, 5);
        }
        return t;
    }

    private static long peakRssMb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
        }
        return -1;
    }
}
