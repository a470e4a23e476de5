package scn.train;

import java.io.IOException;
import scn.autograd.Parameter;
import scn.data.Boxes;
import scn.data.Dataset;
import scn.data.DatasetIndex;
import scn.data.Labels;
import scn.nn.ModelConfig;
import scn.nn.SpikingCenterNet;

/**
 * Starts the regression heads where their targets are on average (ours): the {@code size} head's output
 * bias at the mean box size in grid cells {@code (w/R, h/R)} and the {@code offset} head's at the mean
 * sub-cell offset, both measured on the training labels. This is the regression twin of CenterNet's
 * heatmap prior (bias −2.19). With the bias at 0, AdamW moves it by about the learning rate per step,
 * so sizes of 10 cells take thousands of steps just to reach their scale, and until then every box is
 * too small to pass the evaluation's size filter.
 */
public final class HeadPriors {
    /** At most this many label timestamps are read (spread over the split) to estimate the means. */
    static final int MAX_SAMPLES = 4000;

    private HeadPriors() {}

    /**
     * Sets the two biases from {@code train}'s labels; returns {@code {mean w/R, mean h/R, mean ox, mean oy}}, or null
     * without labels.
     */
    public static double[] apply(SpikingCenterNet model, Dataset train) throws IOException {
        double[] sum = new double[4];
        long n = 0;
        long total = 0;
        for (DatasetIndex.Recording r : train.index().recordings())
            total += r.ok() ? r.samples().size() : 0;
        long every = Math.max(1, (total + MAX_SAMPLES - 1) / MAX_SAMPLES);
        long i = 0;
        float stride = ModelConfig.STRIDE;
        for (DatasetIndex.Recording r : train.index().recordings()) {
            if (!r.ok() || r.width() != train.width() || r.height() != train.height()) continue;
            Boxes boxes = null;
            for (DatasetIndex.Sample s : r.samples()) {
                if (i++ % every != 0) continue;
                if (boxes == null) boxes = Boxes.read(r.bbox());
                for (float[] b : Labels.at(boxes, s.tL(), train.width(), train.height())) {
                    double cx = (b[0] + b[2] / 2) / stride, cy = (b[1] + b[3] / 2) / stride;
                    sum[0] += b[2] / stride;
                    sum[1] += b[3] / stride;
                    sum[2] += cx - Math.floor(cx);
                    sum[3] += cy - Math.floor(cy);
                    n++;
                }
            }
        }
        if (n == 0) return null;
        double[] mean = {sum[0] / n, sum[1] / n, sum[2] / n, sum[3] / n};
        set(model, "heads.size.out.bias", mean[0], mean[1]);
        set(model, "heads.offset.out.bias", mean[2], mean[3]);
        return mean;
    }

    private static void set(SpikingCenterNet model, String name, double x, double y) {
        for (Parameter p : model.parameters()) {
            if (p.name().equals(name)) {
                p.value().data()[0] = (float) x;
                p.value().data()[1] = (float) y;
                return;
            }
        }
        throw new IllegalStateException("the model has no parameter " + name);
    }
}
