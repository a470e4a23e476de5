package scn.train;

import java.util.HashMap;
import java.util.Map;
import scn.autograd.Tape;
import scn.autograd.Var;
import scn.data.Batch;
import scn.nn.SpikingCenterNet;
import scn.tensor.Tensor;

/**
 * Fits a student that starts from its teacher's weights to the teacher's outputs (ours; the data-based normalisation
 * of ANN-to-SNN conversion, on the one layer whose input changes kind). Every hidden layer ends in a batch norm, which
 * rescales spike rates as it rescaled ReLU activations; the heads' output convolutions have none, and read rates in
 * [0, 1] where the teacher fed them activations of another scale. On one batch, for each output channel of each head,
 * the affine map {@code a·u + c} of the student's {@code u = W·r} that fits the teacher's output best (least squares
 * over the batch's cells) is folded into the channel's weights and bias.
 */
final class HeadCalibration {
    private HeadCalibration() {}

    /** Calibrates {@code student}'s heads on {@code batch}; returns the fitted scales, head by head. */
    static float[][] apply(SpikingCenterNet student, SpikingCenterNet teacher, Batch batch) {
        // The student runs in training mode, as in its steps; its batch norms' running statistics are put back after,
        // so that the fit changes nothing but the heads.
        Map<String, Tensor> state = student.stateDict();
        Map<String, float[]> running = new HashMap<>();
        state.forEach((name, v) -> {
            if (name.contains("running_")) running.put(name, v.data().clone());
        });
        SpikingCenterNet.Outputs s, t;
        try (var noGrad = Tape.noGrad()) {
            t = teacher.forward(teacher.input(batch.input()), false, true);
            s = student.forward(student.input(batch.input()), true, true);
        }
        running.forEach(
                (name, kept) -> System.arraycopy(kept, 0, state.get(name).data(), 0, kept.length));
        float[][] scales = new float[3][];
        String[] heads = {"heatmap", "offset", "size"};
        Var[] so = {s.heatmap(), s.offset(), s.size()}, to = {t.heatmap(), t.offset(), t.size()};
        for (int h = 0; h < 3; h++) {
            String out = "heads." + heads[h] + ".out";
            scales[h] = fit(state.get(out + ".weight"), state.get(out + ".bias"), so[h], to[h]);
        }
        Tape.clear();
        return scales;
    }

    /** Fits the output channels of the convolution {@code w}, {@code b}; returns each channel's scale. */
    private static float[] fit(Tensor w, Tensor b, Var studentOut, Var teacherOut) {
        int[] shape = studentOut.shape(); // [B, k, H, W]
        int batch = shape[0], k = shape[1], cells = shape[2] * shape[3], in = w.size() / k;
        long n = (long) batch * cells;
        float[] zs = studentOut.value().data(), zt = teacherOut.value().data();
        float[] wd = w.data(), bd = b.data(), scales = new float[k];
        for (int c = 0; c < k; c++) {
            double su = 0, st = 0, suu = 0, sut = 0;
            for (int i = 0; i < batch; i++) {
                int base = (i * k + c) * cells;
                for (int p = 0; p < cells; p++) {
                    double u = zs[base + p] - bd[c], z = zt[base + p];
                    su += u;
                    st += z;
                    suu += u * u;
                    sut += u * z;
                }
            }
            double mu = su / n, mt = st / n, var = suu / n - mu * mu, cov = sut / n - mu * mt;
            double a = var > 1e-12 ? cov / var : 0;
            for (int j = 0; j < in; j++) wd[c * in + j] *= (float) a;
            bd[c] = (float) (mt - a * mu);
            scales[c] = (float) a;
        }
        return scales;
    }
}
