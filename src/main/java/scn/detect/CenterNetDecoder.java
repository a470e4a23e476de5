package scn.detect;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import scn.tensor.Shape;
import scn.tensor.Tensor;

/**
 * CenterNet decoding without NMS (SPEC 6): head outputs, already averaged over time steps, to boxes in
 * sensor pixels.
 *
 * <p>{@code p = sigmoid(mean heatmap logits)}; a location is a peak when {@code p} equals the maximum of
 * its 3×3 neighbourhood in the same class plane (max-pool, stride 1, padding 1 with {@code -inf}, so the
 * padding never wins); the K best peaks over the flattened {@code (class, y, x)} index become detections.
 *
 * <p>Tie order: torch.topk does not promise an order among equal values. Here equal scores are ranked by
 * ascending flattened index {@code class*H*W + y*W + x} (class first, then row, then column), so the
 * output is a pure function of the inputs.
 *
 * <p>Where CenterNet differs: it multiplies non-peaks by 0 and takes top-K over everything, so when there
 * are fewer than K peaks it returns zero-score boxes at suppressed locations. Here only peaks are returned,
 * so a sample may give fewer than K detections. Sizes are used as predicted: a negative predicted size
 * gives a box of negative width, which evaluation's size filter removes.
 */
public final class CenterNetDecoder {
    private CenterNetDecoder() {}

    /** One detection: a box {@code (x, y, w, h)} in sensor pixels, its score and class. */
    public record Detection(float x, float y, float w, float h, float score, int classId) {}

    /** Decoding settings: K, the output stride R, and the frame boxes are clipped to. */
    public record Config(int maxDetections, int stride, float frameWidth, float frameHeight) {
        public Config {
            if (maxDetections <= 0 || stride <= 0 || !(frameWidth > 0) || !(frameHeight > 0)) {
                throw new IllegalArgumentException(
                        "CenterNetDecoder.Config: K, stride and frame size must be positive, got " + maxDetections
                                + ", " + stride + ", " + frameWidth + "×" + frameHeight);
            }
        }
    }

    /** GEN1: K = 100, stride 4, 304×240 frame. */
    public static final Config GEN1 = new Config(100, 4, 304, 240);

    /** The logistic function, evaluated in double and rounded once to float32. */
    public static float sigmoid(float logit) {
        return (float) (1.0 / (1.0 + Math.exp(-(double) logit)));
    }

    /**
     * Decodes a batch.
     *
     * @param heatmapLogits {@code [B, C, H, W]} time-averaged heatmap logits
     * @param offsets       {@code [B, 2, H, W]} sub-cell centre offsets (x, y)
     * @param sizes         {@code [B, 2, H, W]} box sizes (w, h) in grid cells
     * @return per sample, at most K detections, best score first
     */
    public static List<List<Detection>> decode(Config config, Tensor heatmapLogits, Tensor offsets, Tensor sizes) {
        int[] hs = heatmapLogits.shapeRef();
        Shape.requireRank("CenterNetDecoder.decode", "heatmapLogits", hs, 4);
        int batch = hs[0], classes = hs[1], height = hs[2], width = hs[3];
        int[] regressionShape = {batch, 2, height, width};
        Shape.requireSame("CenterNetDecoder.decode", "offsets", offsets.shapeRef(), "expected", regressionShape);
        Shape.requireSame("CenterNetDecoder.decode", "sizes", sizes.shapeRef(), "expected", regressionShape);

        List<List<Detection>> out = new ArrayList<>(batch);
        float[] prob = new float[classes * height * width]; // [C, H, W] one sample's probabilities
        for (int b = 0; b < batch; b++) {
            int heatBase = b * classes * height * width;
            for (int i = 0; i < prob.length; i++)
                prob[i] = sigmoid(heatmapLogits.data()[heatBase + i]);
            int[] peaks = topPeaks(prob, classes, height, width, config.maxDetections());
            List<Detection> dets = new ArrayList<>(peaks.length);
            int plane = height * width;
            int regBase = b * 2 * plane;
            for (int idx : peaks) {
                int cls = idx / plane;
                int cell = idx % plane;
                int y = cell / width, x = cell % width;
                dets.add(box(
                        config,
                        x,
                        y,
                        prob[idx],
                        cls,
                        offsets.data()[regBase + cell],
                        offsets.data()[regBase + plane + cell],
                        sizes.data()[regBase + cell],
                        sizes.data()[regBase + plane + cell]));
            }
            out.add(dets);
        }
        return out;
    }

    /**
     * Flattened {@code (class, y, x)} indices of the at most {@code k} best 3×3 peaks, best first, equal
     * scores by ascending index.
     */
    static int[] topPeaks(float[] prob, int classes, int height, int width, int k) {
        // Each candidate is packed into one long: the score's bits above, the complement of its index
        // below. Probabilities are in [0, 1], so their IEEE bits order like the values; sorting the longs
        // ascending and reading from the end gives score descending, then index ascending.
        long[] keys = new long[prob.length];
        int n = 0;
        for (int c = 0; c < classes; c++) {
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    int idx = (c * height + y) * width + x;
                    if (isPeak(prob, c * height * width, height, width, y, x)) {
                        keys[n++] = ((long) Float.floatToRawIntBits(prob[idx]) << 32) | (0xFFFF_FFFFL - idx);
                    }
                }
            }
        }
        Arrays.sort(keys, 0, n);
        int count = Math.min(k, n);
        int[] peaks = new int[count];
        for (int i = 0; i < count; i++) {
            peaks[i] = (int) (0xFFFF_FFFFL - (keys[n - 1 - i] & 0xFFFF_FFFFL));
        }
        return peaks;
    }

    /** True when {@code p(y, x)} equals the maximum of its in-grid 3×3 neighbourhood (false for NaN). */
    private static boolean isPeak(float[] prob, int planeOffset, int height, int width, int y, int x) {
        float p = prob[planeOffset + y * width + x];
        for (int yy = Math.max(0, y - 1); yy <= Math.min(height - 1, y + 1); yy++) {
            for (int xx = Math.max(0, x - 1); xx <= Math.min(width - 1, x + 1); xx++) {
                if (!(p >= prob[planeOffset + yy * width + xx])) return false;
            }
        }
        return true;
    }

    /** The box of one peak: centre {@code ((x + ox)·R, (y + oy)·R)}, size {@code (w·R, h·R)}, clipped. */
    private static Detection box(
            Config config, int x, int y, float score, int cls, float ox, float oy, float sw, float sh) {
        float r = config.stride();
        float cx = (x + ox) * r;
        float cy = (y + oy) * r;
        float w = sw * r;
        float h = sh * r;
        float x1 = clip(cx - w / 2, config.frameWidth());
        float y1 = clip(cy - h / 2, config.frameHeight());
        float x2 = clip(cx + w / 2, config.frameWidth());
        float y2 = clip(cy + h / 2, config.frameHeight());
        return new Detection(x1, y1, x2 - x1, y2 - y1, score, cls);
    }

    private static float clip(float v, float limit) {
        return Math.min(Math.max(v, 0f), limit);
    }
}
