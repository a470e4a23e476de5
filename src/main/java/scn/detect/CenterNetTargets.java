package scn.detect;

import scn.tensor.Shape;
import scn.tensor.Tensor;

/**
 * CenterNet training targets (SPEC 5): a Gaussian class heatmap, and for each object its integer centre
 * index, sub-cell offset, size and a mask, built from boxes {@code (x, y, w, h, class)} in sensor pixels.
 *
 * <p>This is data preparation only; the losses that read these targets live with the other losses. The
 * heatmap is drawn the way CenterNet's {@code draw_umich_gaussian} draws it: a {@code (2r+1)²} Gaussian
 * patch with {@code sigma = (2r+1)/6}, truncated at the grid border, merged by element-wise max.
 *
 * <p>Choices where CenterNet and SPEC could be read two ways, all deliberate:
 * <ul>
 *   <li>The radius is {@code gaussian_radius(h/R, w/R)} as SPEC writes it; CenterNet's {@code ctdet}
 *       passes {@code (ceil(h/R), ceil(w/R))} instead.
 *   <li>The integer centre is {@code floor(c)} (SPEC); CenterNet truncates with {@code int()}, which
 *       differs only for negative centres, and those objects are dropped here anyway.
 *   <li>Objects outside the grid are dropped first, then the first {@link Geometry#maxObjects} remaining
 *       objects (in input order) fill slots {@code 0..count-1}; CenterNet caps the input list first.
 *   <li>Centres are computed in double: for float32 inputs {@code (x + w/2)/R} is then exact, so the
 *       floor cannot be moved by round-off. Targets are stored as float32.
 * </ul>
 */
public final class CenterNetTargets {
    /** CenterNet's minimum IoU between a box and a box shifted within the radius. */
    public static final double MIN_OVERLAP = 0.7;

    private CenterNetTargets() {}

    /** The output grid: classes, grid height and width, stride R, and the object cap. */
    public record Geometry(int numClasses, int gridHeight, int gridWidth, int stride, int maxObjects) {
        public Geometry {
            if (numClasses <= 0 || gridHeight <= 0 || gridWidth <= 0 || stride <= 0 || maxObjects <= 0) {
                throw new IllegalArgumentException("Geometry: every field must be positive, got " + numClasses + ", "
                        + gridHeight + ", " + gridWidth + ", " + stride + ", " + maxObjects);
            }
        }
    }

    /** GEN1 at stride 4: 2 classes on a 64×80 grid (the 256×320 padded input), at most 100 objects. */
    public static final Geometry GEN1 = new Geometry(2, 64, 80, 4, 100);

    /**
     * Targets of one sample. Slots {@code k >= count} are zero (mask 0, index 0).
     *
     * @param heatmap   {@code [C, H, W]} Gaussian peaks, 1 at each object centre
     * @param indices   {@code [K]} {@code y*W + x} of each object's integer centre
     * @param classes   {@code [K]} class of each object
     * @param offsets   {@code [K, 2]} {@code (cx - x, cy - y)}, the sub-cell centre
     * @param sizes     {@code [K, 2]} {@code (w/R, h/R)}
     * @param mask      {@code [K]} 1 for a real object, 0 for an empty slot
     * @param count     number of real objects
     */
    public record Sample(
            Tensor heatmap, int[] indices, int[] classes, Tensor offsets, Tensor sizes, Tensor mask, int count) {}

    /**
     * Targets of a batch: the {@link Sample} fields with a leading batch dimension.
     *
     * @param heatmap {@code [B, C, H, W]}
     * @param indices {@code [B, K]} flattened
     * @param classes {@code [B, K]} flattened
     * @param offsets {@code [B, K, 2]}
     * @param sizes   {@code [B, K, 2]}
     * @param mask    {@code [B, K]}
     * @param counts  {@code [B]}
     */
    public record Batch(
            Tensor heatmap, int[] indices, int[] classes, Tensor offsets, Tensor sizes, Tensor mask, int[] counts) {
        /** Total number of objects in the batch (the {@code N_obj} of the L1 losses). */
        public int totalObjects() {
            int n = 0;
            for (int c : counts) n += c;
            return n;
        }
    }

    /** Targets of one sample from boxes {@code (x, y, w, h, class)}; every row is an object. */
    public static Sample forSample(Geometry g, float[][] boxes) {
        int k = g.maxObjects();
        Tensor heatmap = Tensor.zeros(g.numClasses(), g.gridHeight(), g.gridWidth()); // [C, H, W]
        int[] indices = new int[k]; // [K]
        int[] classes = new int[k]; // [K]
        Tensor offsets = Tensor.zeros(k, 2); // [K, 2]
        Tensor sizes = Tensor.zeros(k, 2); // [K, 2]
        Tensor mask = Tensor.zeros(k); // [K]
        float[] flat = new float[boxes.length * 5]; // [N, 5]
        for (int i = 0; i < boxes.length; i++) {
            if (boxes[i].length != 5) {
                throw new IllegalArgumentException("CenterNetTargets: box " + i + " has " + boxes[i].length
                        + " values, expected 5 (x, y, w, h, class)");
            }
            System.arraycopy(boxes[i], 0, flat, i * 5, 5);
        }
        int count = fill(
                g,
                flat,
                0,
                boxes.length,
                false,
                heatmap.data(),
                0,
                indices,
                classes,
                offsets.data(),
                sizes.data(),
                mask.data(),
                0);
        return new Sample(heatmap, indices, classes, offsets, sizes, mask, count);
    }

    /**
     * Targets of a batch from a box tensor {@code [B, N, 5]} of rows {@code (x, y, w, h, class)}; rows
     * with {@code class < 0} are padding and skipped.
     */
    public static Batch forBatch(Geometry g, Tensor boxes) {
        Shape.requireRank("CenterNetTargets.forBatch", "boxes", boxes.shapeRef(), 3);
        if (boxes.dim(2) != 5) {
            throw new IllegalArgumentException(
                    "CenterNetTargets.forBatch: boxes must be [B, N, 5] (x, y, w, h, class), got "
                            + Shape.str(boxes.shapeRef()));
        }
        int batch = boxes.dim(0);
        int rows = boxes.dim(1);
        int k = g.maxObjects();
        int planes = g.numClasses() * g.gridHeight() * g.gridWidth();
        Tensor heatmap = Tensor.zeros(batch, g.numClasses(), g.gridHeight(), g.gridWidth()); // [B, C, H, W]
        int[] indices = new int[batch * k]; // [B, K]
        int[] classes = new int[batch * k]; // [B, K]
        Tensor offsets = Tensor.zeros(batch, k, 2); // [B, K, 2]
        Tensor sizes = Tensor.zeros(batch, k, 2); // [B, K, 2]
        Tensor mask = Tensor.zeros(batch, k); // [B, K]
        int[] counts = new int[batch]; // [B]
        for (int b = 0; b < batch; b++) {
            counts[b] = fill(
                    g,
                    boxes.data(),
                    b * rows * 5,
                    rows,
                    true,
                    heatmap.data(),
                    b * planes,
                    indices,
                    classes,
                    offsets.data(),
                    sizes.data(),
                    mask.data(),
                    b * k);
        }
        return new Batch(heatmap, indices, classes, offsets, sizes, mask, counts);
    }

    /**
     * CenterNet's {@code gaussian_radius(det_size=(height, width), min_overlap)}: the smallest of three
     * quadratic roots, each {@code (b + sqrt(b² - 4ac)) / 2} exactly as CenterNet writes it (the third
     * root's missing {@code /a} is part of the reference and is kept).
     */
    public static double gaussianRadius(double height, double width, double minOverlap) {
        double a1 = 1;
        double b1 = height + width;
        double c1 = width * height * (1 - minOverlap) / (1 + minOverlap);
        double r1 = (b1 + Math.sqrt(b1 * b1 - 4 * a1 * c1)) / 2;

        double a2 = 4;
        double b2 = 2 * (height + width);
        double c2 = (1 - minOverlap) * width * height;
        double r2 = (b2 + Math.sqrt(b2 * b2 - 4 * a2 * c2)) / 2;

        double a3 = 4 * minOverlap;
        double b3 = -2 * minOverlap * (height + width);
        double c3 = (minOverlap - 1) * width * height;
        double r3 = (b3 + Math.sqrt(b3 * b3 - 4 * a3 * c3)) / 2;
        return Math.min(r1, Math.min(r2, r3));
    }

    /** The integer heatmap radius of a box of {@code w × h} sensor pixels: {@code max(0, floor(radius))}. */
    public static int heatmapRadius(float w, float h, int stride) {
        return Math.max(0, (int) Math.floor(gaussianRadius((double) h / stride, (double) w / stride, MIN_OVERLAP)));
    }

    /**
     * Draws CenterNet's Gaussian of radius {@code r} centred on {@code (cx, cy)} into one {@code [H, W]}
     * plane starting at {@code planeOffset}, by element-wise max, truncated at the border.
     */
    public static void drawGaussian(float[] heat, int planeOffset, int height, int width, int cx, int cy, int r) {
        double sigma = (2 * r + 1) / 6.0;
        double twoSigmaSq = 2 * sigma * sigma;
        int y0 = Math.max(0, cy - r), y1 = Math.min(height - 1, cy + r);
        int x0 = Math.max(0, cx - r), x1 = Math.min(width - 1, cx + r);
        for (int y = y0; y <= y1; y++) {
            int dy = y - cy;
            for (int x = x0; x <= x1; x++) {
                int dx = x - cx;
                double v = Math.exp(-(dx * dx + dy * dy) / twoSigmaSq);
                // gaussian2D zeroes values below eps·max; the patch maximum is exp(0) = 1.
                if (v < Math.ulp(1.0)) v = 0;
                int i = planeOffset + y * width + x;
                heat[i] = Math.max(heat[i], (float) v);
            }
        }
    }

    /**
     * Writes the targets of {@code rows} boxes starting at {@code boxOffset} into the output arrays at
     * {@code heatOffset} (heatmap) and slot {@code slotOffset}; returns how many objects were kept.
     */
    private static int fill(
            Geometry g,
            float[] boxes,
            int boxOffset,
            int rows,
            boolean skipNegativeClass,
            float[] heat,
            int heatOffset,
            int[] indices,
            int[] classes,
            float[] offsets,
            float[] sizes,
            float[] mask,
            int slotOffset) {
        int h = g.gridHeight(), w = g.gridWidth(), stride = g.stride();
        int count = 0;
        for (int row = 0; row < rows && count < g.maxObjects(); row++) {
            int base = boxOffset + row * 5;
            float bx = boxes[base],
                    by = boxes[base + 1],
                    bw = boxes[base + 2],
                    bh = boxes[base + 3],
                    cls = boxes[base + 4];
            if (skipNegativeClass && cls < 0) continue;
            int classId = checkedClass(g, cls, row);
            if (!(Float.isFinite(bx)
                    && Float.isFinite(by)
                    && bw >= 0
                    && bh >= 0
                    && Float.isFinite(bw)
                    && Float.isFinite(bh))) {
                throw new IllegalArgumentException("CenterNetTargets: box " + row + " (" + bx + ", " + by + ", " + bw
                        + ", " + bh + ") must be finite with non-negative width and height");
            }
            double cx = (bx + bw / 2.0) / stride;
            double cy = (by + bh / 2.0) / stride;
            int ix = (int) Math.floor(cx);
            int iy = (int) Math.floor(cy);
            if (ix < 0 || ix >= w || iy < 0 || iy >= h) continue;
            drawGaussian(heat, heatOffset + classId * h * w, h, w, ix, iy, heatmapRadius(bw, bh, stride));
            int slot = slotOffset + count;
            indices[slot] = iy * w + ix;
            classes[slot] = classId;
            offsets[2 * slot] = (float) (cx - ix);
            offsets[2 * slot + 1] = (float) (cy - iy);
            sizes[2 * slot] = (float) ((double) bw / stride);
            sizes[2 * slot + 1] = (float) ((double) bh / stride);
            mask[slot] = 1f;
            count++;
        }
        return count;
    }

    private static int checkedClass(Geometry g, float cls, int row) {
        int classId = (int) cls;
        if (classId != cls || classId < 0 || classId >= g.numClasses()) {
            throw new IllegalArgumentException("CenterNetTargets: box " + row + " has class " + cls
                    + ", expected an integer in [0, " + g.numClasses() + ")");
        }
        return classId;
    }
}
