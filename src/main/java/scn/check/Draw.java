package scn.check;

import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import scn.autograd.Var;
import scn.backend.SpikePath;
import scn.nn.ModelConfig;
import scn.nn.SpikingCenterNet;
import scn.tensor.SpikeTensor;
import scn.tensor.Tensor;

/**
 * One random case for the layer-by-layer check, fixed by its seed: a network of random width, batch and
 * input size, with weights far from the default initialisation, and an input of random density.
 * <ul>
 *   <li>PLIF {@code w} uniform in [-3, 3] (decay 0.05 to 0.95); batch-norm gains in [0.3, 3], biases in
 *       [-1, 1], running means in [-0.5, 0.5] and variances in [0.05, 2]; head biases in [-1, 1];</li>
 *   <li>widths 0.0625 to 0.5, batch 1 to 3, the input 32 to 96 high and 32 to 160 wide (multiples of 32),
 *       so the feature maps have odd sizes and SIMD row tails;</li>
 *   <li>spike density log-uniform in [0.5 %, 40 %], with some input planes empty and some full;</li>
 *   <li>a quarter of the draws the ReLU teacher, a quarter the evaluation forward, the spike path
 *       dense, sparse or auto in turn, and 0 to 3 boxes per sample.</li>
 * </ul>
 */
public record Draw(
        long seed,
        ModelConfig config,
        boolean training,
        SpikePath.Mode spikes,
        double density,
        SpikingCenterNet model,
        Var input,
        Tensor boxes) {
    private static final double[] WIDTHS = {0.0625, 0.125, 0.25, 0.5};
    private static final int[] HEIGHTS = {32, 64, 96}, WIDTHS_PX = {32, 64, 96, 160};
    private static final Pattern BN = Pattern.compile(".*\\.bn\\d?\\.(weight|bias|running_mean|running_var)$");

    public static Draw of(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double width = WIDTHS[r.nextInt(WIDTHS.length)];
        int batch = 1 + r.nextInt(3),
                h = HEIGHTS[r.nextInt(HEIGHTS.length)],
                w = WIDTHS_PX[r.nextInt(WIDTHS_PX.length)];
        // The reference kernels are slow: the widest draws stay small (about 3 s each on two cores, the others 0.5 to 4
        // s).
        if (width == 0.5) {
            batch = 1;
            h = 32;
            w = Math.min(w, 64);
        } else if (width == 0.25 && batch * h * w > 2 * 64 * 96) {
            batch = 1;
            h = Math.min(h, 64);
        }
        boolean teacher = r.nextInt(4) == 0, training = r.nextInt(4) != 0;
        SpikePath.Mode spikes = SpikePath.Mode.values()[(int) Math.floorMod(seed, 3)];
        ModelConfig config = new ModelConfig(width, 1.5, 5, 2, teacher, h, w);
        SpikingCenterNet model = new SpikingCenterNet(config, r.nextLong());
        for (Map.Entry<String, Tensor> e : model.stateDict().entrySet()) {
            String name = e.getKey();
            float[] v = e.getValue().data();
            if (name.endsWith(".plif.w") || name.matches(".*\\.plif\\d\\.w$")) {
                fill(v, r, -3, 3);
            } else if (BN.matcher(name).matches()) {
                if (name.endsWith(".weight")) fill(v, r, 0.3, 3);
                else if (name.endsWith(".bias")) fill(v, r, -1, 1);
                else if (name.endsWith(".running_mean")) fill(v, r, -0.5, 0.5);
                else fill(v, r, 0.05, 2);
            } else if (name.endsWith(".out.bias")) {
                fill(v, r, -1, 1);
            }
        }
        double density = Math.exp(Math.log(0.005) + r.nextDouble() * Math.log(0.4 / 0.005));
        byte[] spikesIn = new byte[5 * batch * ModelConfig.INPUT_CHANNELS * h * w]; // [T, B, 4, H, W]
        for (int plane = 0; plane < 5 * batch * ModelConfig.INPUT_CHANNELS; plane++) {
            int kind = r.nextInt(20); // 0: empty, 1: full, else random
            for (int i = 0; i < h * w; i++)
                spikesIn[plane * h * w + i] = (byte) (kind == 1 || (kind > 1 && r.nextDouble() < density) ? 1 : 0);
        }
        Var input = Var.constant(SpikeTensor.wrapTrusted(spikesIn, 5, batch, ModelConfig.INPUT_CHANNELS, h, w));
        int perSample = 3;
        Tensor boxes = Tensor.zeros(batch, perSample, 5); // (x, y, w, h, class); class -1 is padding
        for (int b = 0; b < batch; b++) {
            int n = r.nextInt(perSample + 1);
            for (int k = 0; k < perSample; k++) {
                float[] row = {-1, -1, -1, -1, -1};
                if (k < n) {
                    float bw = 8 + (float) r.nextDouble() * (w / 2f), bh = 8 + (float) r.nextDouble() * (h / 2f);
                    row = new float[] {
                        (float) r.nextDouble() * (w - bw), (float) r.nextDouble() * (h - bh), bw, bh, r.nextInt(2)
                    };
                }
                for (int j = 0; j < 5; j++) boxes.set(row[j], b, k, j);
            }
        }
        return new Draw(seed, config, training, spikes, density, model, input, boxes);
    }

    private static void fill(float[] v, SplittableRandom r, double lo, double hi) {
        for (int i = 0; i < v.length; i++) v[i] = (float) (lo + r.nextDouble() * (hi - lo));
    }

    /** Runs the check on this draw with {@code candidate}, on the spike path the draw names. */
    public LayerCheck.Report check(Candidate candidate) {
        SpikePath.Mode was = SpikePath.mode();
        SpikePath.force(spikes);
        try {
            return LayerCheck.run(model, input, boxes, training, candidate);
        } finally {
            SpikePath.force(was);
        }
    }

    @Override
    public String toString() {
        return String.format(
                java.util.Locale.ROOT,
                "draw %d: %s, batch %d, %s, spikes %s, density %.3f",
                seed,
                config,
                input.shape()[1],
                training ? "training step" : "evaluation forward",
                spikes.name().toLowerCase(),
                density);
    }
}
