package scn.data;

import java.util.Arrays;
import scn.tensor.SpikeTensor;
import scn.tensor.Tensor;

/**
 * A collated batch: {@code input [T=5, B, 4, 256, 320]} (each sample's {@code [5, 4, 240, 304]} window
 * zero-padded at the bottom and right, SPEC section 3), {@code boxes [B, N, 5]} rows
 * {@code (x, y, w, h, class)} in sensor pixels with padding rows of class −1, and per sample the
 * recording name and label timestamp (µs) that evaluation pairs detections with.
 */
public record Batch(SpikeTensor input, Tensor boxes, String[] recordings, long[] timestamps) {
    /** Number of samples {@code B}. */
    public int size() {
        return recordings.length;
    }

    /** The real (non-padding) label rows of sample {@code b}, {@code [n][5]}. */
    public float[][] boxesOf(int b) {
        int n = boxes.dim(1);
        float[] d = boxes.data();
        int count = 0;
        while (count < n && d[(b * n + count) * 5 + 4] >= 0) count++;
        float[][] out = new float[count][5];
        for (int i = 0; i < count; i++) System.arraycopy(d, (b * n + i) * 5, out[i], 0, 5);
        return out;
    }

    /** The first {@code m} samples of this batch, copied: a batch cut short where a count of samples ends. */
    public Batch first(int m) {
        int[] s = input.shapeRef(); // [T, B, C, PH, PW]
        if (m < 0 || m > s[1]) throw new IllegalArgumentException(m + " samples of a batch of " + s[1]);
        int sample = s[2] * s[3] * s[4];
        byte[] in = input.data(), cut = new byte[s[0] * m * sample]; // [T, m, C, PH, PW]
        for (int t = 0; t < s[0]; t++) System.arraycopy(in, t * s[1] * sample, cut, t * m * sample, m * sample);
        int n = boxes.dim(1);
        float[] rows = Arrays.copyOf(boxes.data(), m * n * 5); // [m, N, 5]
        return new Batch(
                SpikeTensor.wrap(cut, s[0], m, s[2], s[3], s[4]),
                Tensor.wrap(rows, m, n, 5),
                Arrays.copyOf(recordings, m),
                Arrays.copyOf(timestamps, m));
    }
}
