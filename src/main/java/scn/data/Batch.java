package scn.data;

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
}
