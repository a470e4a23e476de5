package scn.backend.opencl;

import scn.backend.Device;
import scn.backend.DeviceBuffer.Type;

/**
 * The CenterNet loss on the device ({@code centernetloss.cl}), twin of {@code scn.detect.CenterNetLoss}:
 * from the three head outputs and the targets, the loss terms into a small stats buffer and the
 * gradients with respect to the outputs, all without leaving the device. The targets are built on the
 * host ({@code CenterNetTargets.forBatch}, data preparation) and sent with the batch as plain arrays, and the
 * regression weights come as arguments: like every kernel twin, this one knows no class above the backend.
 */
public final class CenterNetLossCl {
    /** Entries of the stats buffer: {@code [total, heatmap, offset, size, max(1, N_pos)]}. */
    public static final int STATS = 5;

    private CenterNetLossCl() {}

    /** The targets of one batch on the device, allocated once for a batch size and rewritten every step. */
    public static final class Targets implements AutoCloseable {
        final int batch, classes, height, width, slots;
        final ClBuffer heatmap; // [B, C, H, W]
        final ClBuffer indices; // [B, K] int32, y*W + x of each object's centre
        final ClBuffer mask; // [B, K]
        final ClBuffer offsets; // [B, K, 2]
        final ClBuffer sizes; // [B, K, 2]
        int objects;

        public Targets(ClDevice dev, int batch, int classes, int height, int width, int slots) {
            this.batch = batch;
            this.classes = classes;
            this.height = height;
            this.width = width;
            this.slots = slots;
            heatmap = dev.allocate(Type.FLOAT32, (long) batch * classes * height * width);
            indices = dev.allocate(Type.INT32, (long) batch * slots);
            mask = dev.allocate(Type.FLOAT32, (long) batch * slots);
            offsets = dev.allocate(Type.FLOAT32, 2L * batch * slots);
            sizes = dev.allocate(Type.FLOAT32, 2L * batch * slots);
        }

        /**
         * Sends the targets of a batch, shaped as this allocation: {@code heatmap [B, C, H, W]}, {@code indices} and
         * {@code mask [B, K]}, {@code offsets} and {@code sizes [B, K, 2]}, and the number of objects in the batch.
         */
        public void write(float[] heatmap, int[] indices, float[] mask, float[] offsets, float[] sizes, int objects) {
            ClDevice dev = this.heatmap.device();
            dev.write(this.heatmap, heatmap);
            dev.write(this.indices, indices);
            dev.write(this.mask, mask);
            dev.write(this.offsets, offsets);
            dev.write(this.sizes, sizes);
            this.objects = objects;
        }

        @Override
        public void close() {
            for (ClBuffer b : new ClBuffer[] {heatmap, indices, mask, offsets, sizes}) b.close();
        }
    }

    /**
     * Writes {@code stats [5]} and the gradients {@code dHeat}, {@code dOffset}, {@code dSize} (same shapes
     * as the outputs {@code heat [B, C, H, W]}, {@code offset}, {@code size [B, 2, H, W]}) of the total loss,
     * {@code heatmap + offsetWeight·offset + sizeWeight·size}.
     */
    public static void compute(
            ClBuffer stats,
            ClBuffer dHeat,
            ClBuffer dOffset,
            ClBuffer dSize,
            ClBuffer heat,
            ClBuffer offset,
            ClBuffer size,
            Targets t,
            float offsetWeight,
            float sizeWeight) {
        String op = "centernet_loss";
        int plane = t.height * t.width, n = t.batch * t.classes * plane, reg = t.batch * 2 * plane;
        stats.require(op, "stats", Type.FLOAT32, STATS);
        heat.require(op, "heatmap", Type.FLOAT32, n);
        dHeat.require(op, "dHeatmap", Type.FLOAT32, n);
        for (ClBuffer b : new ClBuffer[] {offset, size, dOffset, dSize}) b.require(op, "regression", Type.FLOAT32, reg);
        ClDevice dev = stats.device();

        ClKernel focal = dev.kernel("centernetloss", "centernetloss_focal", "");
        int local = focal.localPow2(), groups = (n + local - 1) / local;
        ClBuffer partial = dev.scratch("centernetloss.partial", Type.FLOAT32, 2L * groups); // [groups, 2]
        focal.launch(
                new long[] {(long) groups * local},
                new long[] {local},
                dHeat,
                partial,
                heat,
                t.heatmap,
                n,
                new Device.Local(4L * local),
                new Device.Local(4L * local));

        // The reference divides by 2·N_obj + 1e-4 in double; its 1/denom rounded once is the per-object step.
        double denom = 2.0 * t.objects + 1e-4;
        ClBuffer sums = dev.scratch("centernetloss.sums", Type.FLOAT32, 4L * t.batch); // [2 heads, B, 2]
        dev.zero(dOffset);
        dev.zero(dSize);
        ClKernel l1 = dev.kernel("centernetloss", "centernetloss_l1", "");
        l1.launch1d(
                2L * t.batch,
                dOffset,
                sums,
                offset,
                t.offsets,
                t.indices,
                t.mask,
                t.batch,
                t.slots,
                plane,
                (float) (1 / denom),
                offsetWeight,
                0);
        l1.launch1d(
                2L * t.batch,
                dSize,
                sums,
                size,
                t.sizes,
                t.indices,
                t.mask,
                t.batch,
                t.slots,
                plane,
                (float) (1 / denom),
                sizeWeight,
                1);

        ClKernel fin = dev.kernel("centernetloss", "centernetloss_finalize", "");
        int fl = fin.localPow2();
        fin.launch(
                new long[] {fl},
                new long[] {fl},
                stats,
                partial,
                groups,
                sums,
                t.batch,
                (float) denom,
                new Device.Local(4L * fl),
                new Device.Local(4L * fl));
        dev.kernel("centernetloss", "centernetloss_focalScale", "").launch1d(n, dHeat, stats, n);
    }
}
