package scn.backend.opencl;

import scn.backend.Device;
import scn.backend.DeviceBuffer.Type;

/**
 * The distillation term on the device ({@code distillation.cl}), twin of {@code scn.train.DistillationLoss}:
 * from the student's and the teacher's head outputs, each term's value into a slot of a small stats buffer and
 * its gradients with respect to the student's outputs, without leaving the device. The settings come as plain
 * numbers (the target as {@code Distillation.Target}'s ordinal, the normalisation as the divisor it gives): like
 * every kernel twin, this one knows no class above the backend.
 *
 * <p>The gradients are overwritten, not accumulated, and are those of the term itself (an upstream gradient of
 * 1): the caller scales or adds them as its step needs.
 */
public final class DistillationLossCl {
    /** {@code target}: squared difference of the sigmoids at the temperature. */
    public static final int PROB = 0;
    /** {@code target}: squared difference of the logits (the temperature does not apply). */
    public static final int LOGIT = 1;
    /** {@code target}: the Bernoulli divergence of the sigmoids at the temperature. */
    public static final int KL = 2;

    private DistillationLossCl() {}

    /**
     * The heatmap term over {@code n} logits ({@code [B, k, H, W]} of the student and the teacher): writes
     * {@code dz[i] = grad_i / divisor} and {@code stats[at] = Σ value_i / divisor}, with {@code value} and
     * {@code grad} those of {@code target} ({@link #PROB}, {@link #LOGIT}, {@link #KL}) at {@code temperature}.
     * {@code divisor} is the normalisation's count: {@code B}, {@code B·k·H·W} or {@code max(1, objects)}.
     */
    public static void heatmap(
            ClBuffer stats,
            int at,
            ClBuffer dz,
            ClBuffer student,
            ClBuffer teacher,
            int n,
            int target,
            float temperature,
            float divisor) {
        String op = "distillation_heatmap";
        if (target < PROB || target > KL) throw new IllegalArgumentException(op + ": unknown target " + target);
        if (n < 0) throw new IllegalArgumentException(op + ": negative length " + n);
        if (!(temperature > 0) || Float.isInfinite(temperature))
            throw new IllegalArgumentException(op + ": temperature must be > 0, got " + temperature);
        if (!(divisor > 0) || Float.isInfinite(divisor))
            throw new IllegalArgumentException(op + ": divisor must be > 0, got " + divisor);
        requireSlot(op, stats, at);
        dz.require(op, "dz", Type.FLOAT32, n);
        student.require(op, "student", Type.FLOAT32, n);
        teacher.require(op, "teacher", Type.FLOAT32, n);
        ClDevice dev = stats.device();
        ClKernel partial = dev.kernel("distillation", "distillation_heatmap", "");
        int local = partial.localPow2(), groups = groups(dev, n, local);
        ClBuffer parts = dev.scratch("distillation.heatmap", Type.FLOAT32, groups); // [groups]
        partial.launch(
                new long[] {(long) groups * local},
                new long[] {local},
                dz,
                parts,
                student,
                teacher,
                n,
                target,
                temperature,
                divisor,
                new Device.Local(4L * local));
        ClKernel fin = dev.kernel("distillation", "distillation_heatmap_final", "");
        int fl = fin.localPow2();
        fin.launch(new long[] {fl}, new long[] {fl}, stats, at, parts, groups, divisor, new Device.Local(4L * fl));
    }

    /**
     * The regression term: L1 between the student's and the teacher's offset and size maps {@code [B, 2, H·W]}
     * ({@code cells = H·W}), {@code size} weighted by {@code sizeWeight}, each cell weighted by the teacher's most
     * confident class probability from its logits {@code [B, classes, H·W]}, normalised by the sum of those weights
     * (plus 1e-4). Writes {@code dOffset}, {@code dSize} and {@code stats[at]}.
     */
    public static void regression(
            ClBuffer stats,
            int at,
            ClBuffer dOffset,
            ClBuffer dSize,
            ClBuffer studentOffset,
            ClBuffer studentSize,
            ClBuffer teacherOffset,
            ClBuffer teacherSize,
            ClBuffer teacherLogits,
            int batch,
            int classes,
            int cells,
            float sizeWeight) {
        String op = "distillation_regression";
        if (batch < 0 || classes < 0 || cells < 0)
            throw new IllegalArgumentException(
                    op + ": negative shape B=" + batch + " classes=" + classes + " cells=" + cells);
        long m = (long) batch * cells, reg = 2 * m;
        if (reg > Integer.MAX_VALUE || (long) classes * m > Integer.MAX_VALUE)
            throw new IllegalArgumentException(op + ": maps too large for int indices");
        requireSlot(op, stats, at);
        dOffset.require(op, "dOffset", Type.FLOAT32, reg);
        dSize.require(op, "dSize", Type.FLOAT32, reg);
        studentOffset.require(op, "student offset", Type.FLOAT32, reg);
        studentSize.require(op, "student size", Type.FLOAT32, reg);
        teacherOffset.require(op, "teacher offset", Type.FLOAT32, reg);
        teacherSize.require(op, "teacher size", Type.FLOAT32, reg);
        teacherLogits.require(op, "teacher logits", Type.FLOAT32, classes * m);
        ClDevice dev = stats.device();
        ClKernel partial = dev.kernel("distillation", "distillation_regression", "");
        int local = partial.localPow2(), groups = groups(dev, (int) m, local);
        // The weights are needed again once their total is known: kept rather than recomputed from k logits a cell.
        ClBuffer weights = dev.scratch("distillation.weights", Type.FLOAT32, m); // [B, H·W]
        ClBuffer parts = dev.scratch("distillation.regression", Type.FLOAT32, 2L * groups); // [groups, 2]
        ClBuffer total = dev.scratch("distillation.total", Type.FLOAT32, 1);
        partial.launch(
                new long[] {(long) groups * local},
                new long[] {local},
                weights,
                parts,
                teacherLogits,
                studentOffset,
                studentSize,
                teacherOffset,
                teacherSize,
                batch,
                classes,
                cells,
                sizeWeight,
                new Device.Local(4L * local),
                new Device.Local(4L * local));
        ClKernel fin = dev.kernel("distillation", "distillation_regression_final", "");
        int fl = fin.localPow2();
        fin.launch(
                new long[] {fl},
                new long[] {fl},
                stats,
                at,
                total,
                parts,
                groups,
                new Device.Local(4L * fl),
                new Device.Local(4L * fl));
        dev.kernel("distillation", "distillation_regression_grad", "")
                .launch1d(
                        m,
                        dOffset,
                        dSize,
                        weights,
                        total,
                        studentOffset,
                        studentSize,
                        teacherOffset,
                        teacherSize,
                        batch,
                        cells,
                        sizeWeight);
    }

    private static void requireSlot(String op, ClBuffer stats, int at) {
        if (at < 0) throw new IllegalArgumentException(op + ": stats slot " + at + " is negative");
        stats.require(op, "stats", Type.FLOAT32, at + 1L);
    }

    /** A few work-groups per compute unit fill the device; more would only lengthen the final stage. */
    private static int groups(ClDevice dev, int n, int local) {
        return (int)
                Math.max(1, Math.min((n + local - 1L) / local, 4L * dev.info().computeUnits()));
    }
}
