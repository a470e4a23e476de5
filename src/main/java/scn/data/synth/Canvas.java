package scn.data.synth;

/**
 * A log-intensity image that shapes are painted onto with soft (one-pixel, anti-aliased) edges, so that a
 * shape moving by a fraction of a pixel changes pixel values smoothly and the event simulator sees
 * gradual brightness changes, as a real sensor would, rather than whole-pixel jumps.
 *
 * <p>Each primitive is a signed distance function evaluated at pixel centres only inside its own bounding
 * rectangle; coverage is {@code clamp(0.5 - d, 0, 1)} and a pixel blends towards the shape's value by its
 * coverage. In id mode the same primitives instead stamp an object id wherever coverage exceeds one
 * half, which is how labels learn what part of an object is visible.
 */
final class Canvas {
    final int width;
    final int height;
    final float[] value; // [H, W] log intensity
    final int[] ids; // [H, W] object id per pixel in id mode
    private boolean idMode;
    private int id;

    Canvas(int width, int height) {
        this.width = width;
        this.height = height;
        this.value = new float[width * height];
        this.ids = new int[width * height];
    }

    /** Paint values from now on. */
    void paintMode() {
        idMode = false;
    }

    /** Stamp {@code objectId} from now on instead of painting. */
    void idMode(int objectId) {
        idMode = true;
        id = objectId;
    }

    private void blend(int i, float a, float v) {
        if (idMode) {
            if (a > 0.5f) ids[i] = id;
        } else {
            value[i] += a * (v - value[i]);
        }
    }

    /**
     * A box centred at {@code (cx, cy)} with half sizes {@code (hw, hh)} and corner radius {@code r}; value {@code v +
     * gy * (y - cy)}.
     */
    void roundedBox(double cx, double cy, double hw, double hh, double r, float v, float gy) {
        int x0 = Math.max(0, (int) Math.floor(cx - hw - 1));
        int x1 = Math.min(width - 1, (int) Math.ceil(cx + hw + 1));
        int y0 = Math.max(0, (int) Math.floor(cy - hh - 1));
        int y1 = Math.min(height - 1, (int) Math.ceil(cy + hh + 1));
        double ir = Math.min(r, Math.min(hw, hh));
        for (int y = y0; y <= y1; y++) {
            double qy = Math.abs(y + 0.5 - cy) - (hh - ir);
            float rowValue = (float) (v + gy * (y + 0.5 - cy));
            int base = y * width;
            for (int x = x0; x <= x1; x++) {
                double qx = Math.abs(x + 0.5 - cx) - (hw - ir);
                double ox = Math.max(qx, 0);
                double oy = Math.max(qy, 0);
                double d = Math.sqrt(ox * ox + oy * oy) + Math.min(Math.max(qx, qy), 0) - ir;
                float a = (float) Math.min(1, Math.max(0, 0.5 - d));
                if (a > 0) blend(base + x, a, rowValue);
            }
        }
    }

    /** An ellipse with radii {@code (rx, ry)}; the distance is approximated by scaling (exact for circles). */
    void ellipse(double cx, double cy, double rx, double ry, float v) {
        int x0 = Math.max(0, (int) Math.floor(cx - rx - 1));
        int x1 = Math.min(width - 1, (int) Math.ceil(cx + rx + 1));
        int y0 = Math.max(0, (int) Math.floor(cy - ry - 1));
        int y1 = Math.min(height - 1, (int) Math.ceil(cy + ry + 1));
        double m = Math.min(rx, ry);
        for (int y = y0; y <= y1; y++) {
            double dy = (y + 0.5 - cy) / ry;
            int base = y * width;
            for (int x = x0; x <= x1; x++) {
                double dx = (x + 0.5 - cx) / rx;
                double d = (Math.sqrt(dx * dx + dy * dy) - 1) * m;
                float a = (float) Math.min(1, Math.max(0, 0.5 - d));
                if (a > 0) blend(base + x, a, v);
            }
        }
    }

    /**
     * A wheel: a tyre of value {@code tyre}, a hub of value {@code hub} whose three bright spokes turn with {@code
     * angle}.
     */
    void wheel(double cx, double cy, double r, float tyre, float hub, double angle) {
        ellipse(cx, cy, r, r, tyre);
        double hr = r * 0.55;
        int x0 = Math.max(0, (int) Math.floor(cx - hr - 1));
        int x1 = Math.min(width - 1, (int) Math.ceil(cx + hr + 1));
        int y0 = Math.max(0, (int) Math.floor(cy - hr - 1));
        int y1 = Math.min(height - 1, (int) Math.ceil(cy + hr + 1));
        for (int y = y0; y <= y1; y++) {
            int base = y * width;
            for (int x = x0; x <= x1; x++) {
                double dx = x + 0.5 - cx;
                double dy = y + 0.5 - cy;
                double d = Math.sqrt(dx * dx + dy * dy) - hr;
                float a = (float) Math.min(1, Math.max(0, 0.5 - d));
                if (a > 0) {
                    float spokes = (float) (0.5 + 0.5 * Math.cos(3 * (Math.atan2(dy, dx) - angle)));
                    blend(base + x, a, hub + 0.6f * spokes);
                }
            }
        }
    }

    /** A capsule (a segment from {@code (ax, ay)} to {@code (bx, by)} thickened by {@code r}): limbs, torsos, bars. */
    void capsule(double ax, double ay, double bx, double by, double r, float v) {
        int x0 = Math.max(0, (int) Math.floor(Math.min(ax, bx) - r - 1));
        int x1 = Math.min(width - 1, (int) Math.ceil(Math.max(ax, bx) + r + 1));
        int y0 = Math.max(0, (int) Math.floor(Math.min(ay, by) - r - 1));
        int y1 = Math.min(height - 1, (int) Math.ceil(Math.max(ay, by) + r + 1));
        double ex = bx - ax;
        double ey = by - ay;
        double len2 = Math.max(1e-9, ex * ex + ey * ey);
        for (int y = y0; y <= y1; y++) {
            double py = y + 0.5 - ay;
            int base = y * width;
            for (int x = x0; x <= x1; x++) {
                double px = x + 0.5 - ax;
                double h = Math.min(1, Math.max(0, (px * ex + py * ey) / len2));
                double dx = px - h * ex;
                double dy = py - h * ey;
                double d = Math.sqrt(dx * dx + dy * dy) - r;
                float a = (float) Math.min(1, Math.max(0, 0.5 - d));
                if (a > 0) blend(base + x, a, v);
            }
        }
    }

    /**
     * A full-height vertical bar (a pole in front of everything) between {@code x0} and {@code x1}, shaded across its
     * width.
     */
    void pole(double x0, double x1, float v, float shade) {
        int a0 = Math.max(0, (int) Math.floor(x0 - 1));
        int a1 = Math.min(width - 1, (int) Math.ceil(x1 + 1));
        double mid = 0.5 * (x0 + x1);
        double half = 0.5 * (x1 - x0);
        for (int x = a0; x <= a1; x++) {
            double d = Math.abs(x + 0.5 - mid) - half;
            float a = (float) Math.min(1, Math.max(0, 0.5 - d));
            if (a <= 0) continue;
            float pv = (float) (v + shade * (x + 0.5 - mid) / Math.max(1, half));
            for (int y = 0; y < height; y++) blend(y * width + x, a, pv);
        }
    }
}
