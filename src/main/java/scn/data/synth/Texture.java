package scn.data.synth;

import java.util.SplittableRandom;

/**
 * The static world behind the moving objects: a tileable 512x512 log-intensity texture (smooth shading
 * from value noise, hard-edged rectangles like walls, windows and signs, thin lines like road markings,
 * and fine grain). The camera sees a translated window of it; as the camera drifts, the texture's edges
 * produce events all over the frame, which a detector must learn to ignore.
 */
final class Texture {
    static final int SIZE = 512;
    private static final int MASK = SIZE - 1;
    private final float[] data; // [SIZE, SIZE] log intensity

    private Texture(float[] data) {
        this.data = data;
    }

    /** A texture whose amount of edges grows with {@code clutter} (0 = plain shading, 1 = busy street). */
    static Texture generate(SplittableRandom rnd, double clutter) {
        float[] d = new float[SIZE * SIZE];
        double amplitude = 0.35;
        for (int period = 128; period >= 16; period /= 2) {
            addValueNoise(d, rnd, period, amplitude);
            amplitude *= 0.55;
        }
        int rects = (int) (clutter * 90);
        for (int i = 0; i < rects; i++) {
            int w = 4 + rnd.nextInt(rnd.nextBoolean() ? 20 : 90);
            int h = 4 + rnd.nextInt(rnd.nextBoolean() ? 20 : 90);
            float delta = (float) ((0.2 + rnd.nextDouble() * 0.4) * (rnd.nextBoolean() ? 1 : -1));
            fillWrapped(d, rnd.nextInt(SIZE), rnd.nextInt(SIZE), w, h, delta);
        }
        int lines = (int) (clutter * 16);
        for (int i = 0; i < lines; i++) {
            int thick = 1 + rnd.nextInt(3);
            int len = 30 + rnd.nextInt(300);
            float delta = (float) ((0.3 + rnd.nextDouble() * 0.3) * (rnd.nextBoolean() ? 1 : -1));
            if (rnd.nextBoolean()) fillWrapped(d, rnd.nextInt(SIZE), rnd.nextInt(SIZE), len, thick, delta);
            else fillWrapped(d, rnd.nextInt(SIZE), rnd.nextInt(SIZE), thick, len, delta);
        }
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) Math.max(-1.0, Math.min(1.0, d[i] + (rnd.nextDouble() - 0.5) * 0.1));
        }
        return new Texture(d);
    }

    /** Adds smooth random hills of the given lattice period (tileable: the lattice wraps). */
    private static void addValueNoise(float[] d, SplittableRandom rnd, int period, double amplitude) {
        int g = SIZE / period;
        double[] lattice = new double[g * g]; // [g, g]
        for (int i = 0; i < lattice.length; i++) lattice[i] = (rnd.nextDouble() * 2 - 1) * amplitude;
        for (int y = 0; y < SIZE; y++) {
            int gy = y / period;
            double fy = smooth((y % period) / (double) period);
            int r0 = gy * g;
            int r1 = ((gy + 1) % g) * g;
            for (int x = 0; x < SIZE; x++) {
                int gx = x / period;
                int gx1 = (gx + 1) % g;
                double fx = smooth((x % period) / (double) period);
                double top = lattice[r0 + gx] + (lattice[r0 + gx1] - lattice[r0 + gx]) * fx;
                double bottom = lattice[r1 + gx] + (lattice[r1 + gx1] - lattice[r1 + gx]) * fx;
                d[y * SIZE + x] += (float) (top + (bottom - top) * fy);
            }
        }
    }

    private static double smooth(double f) {
        return f * f * (3 - 2 * f);
    }

    private static void fillWrapped(float[] d, int x0, int y0, int w, int h, float delta) {
        for (int y = y0; y < y0 + h; y++) {
            int row = (y & MASK) * SIZE;
            for (int x = x0; x < x0 + w; x++) d[row + (x & MASK)] += delta;
        }
    }

    /**
     * Writes the camera's view with its top-left corner at world position {@code (ox, oy)}, bilinearly interpolated.
     */
    void view(double ox, double oy, float[] out, int width, int height) { // out: [H, W]
        int ix = (int) Math.floor(ox);
        int iy = (int) Math.floor(oy);
        float fx = (float) (ox - ix);
        float fy = (float) (oy - iy);
        // A pure translation: the four bilinear weights are the same for every pixel.
        float w00 = (1 - fx) * (1 - fy);
        float w01 = fx * (1 - fy);
        float w10 = (1 - fx) * fy;
        float w11 = fx * fy;
        for (int y = 0; y < height; y++) {
            int r0 = ((y + iy) & MASK) * SIZE;
            int r1 = ((y + iy + 1) & MASK) * SIZE;
            int o = y * width;
            for (int x = 0; x < width; x++) {
                int c0 = (x + ix) & MASK;
                int c1 = (c0 + 1) & MASK;
                out[o + x] = w00 * data[r0 + c0] + w01 * data[r0 + c1] + w10 * data[r1 + c0] + w11 * data[r1 + c1];
            }
        }
    }
}
