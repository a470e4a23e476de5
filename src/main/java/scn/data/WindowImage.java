package scn.data;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import javax.imageio.ImageIO;
import scn.tensor.SpikeTensor;

/**
 * Pictures of encoded windows with boxes, meant for people checking data and detections by eye.
 *
 * <p>{@link #render}: the five 20 ms time steps side by side, ON events in red and OFF events in blue
 * (dimmer for the first 10 ms micro bin, full for the second), with the boxes drawn on every step.
 * {@link #frame}: the whole window in one picture, for a video: each pixel coloured by the latest step
 * in which it fired (older steps dimmer), detections in their class colour and ground truth in white.
 *
 * <p>Box rows are {@code (x, y, w, h, class)} in the picture's pixels before scaling, with an optional
 * sixth column, the score. Each box is labelled with its class name ({@code car}, {@code pedestrian}) and
 * its score when there is one; cars are green, pedestrians yellow.
 */
public final class WindowImage {
    private static final int GAP = 4;
    private static final int BACKGROUND = 0x202020;
    private static final int[] CLASS_COLOUR = {0x30E030, 0xF0E020};
    private static final String[] CLASS_NAME = {"car", "pedestrian"};
    private static final int TRUTH_COLOUR = 0xFFFFFF;
    private static final int LABEL_BACKGROUND = 0x000000;

    /** What a video frame shows besides its events: detection rows (with scores), ground-truth rows and a caption. */
    public record Overlay(float[][] detections, float[][] truth, String caption) {
        public Overlay {
            if (!BitmapFont.canDraw(caption)) {
                throw new IllegalArgumentException("caption \"" + caption + "\" has characters the font lacks");
            }
        }
    }

    // The frame palette: background, 5 step levels each of ON (red), OFF (blue) and both, then box and text colours.
    private static final int LEVELS = 5;
    private static final int ON = 1, OFF = ON + LEVELS, BOTH = OFF + LEVELS;
    private static final int CAR = BOTH + LEVELS, PEDESTRIAN = CAR + 1, TRUTH = CAR + 2;
    private static final int BLACK = CAR + 3, WHITE = CAR + 4;
    private static final IndexColorModel PALETTE = palette();

    private WindowImage() {}

    /** The name of class {@code id}, or {@code class N} for one the data set does not have. */
    public static String className(int id) {
        return id >= 0 && id < CLASS_NAME.length ? CLASS_NAME[id] : "class " + id;
    }

    /**
     * Renders {@code input [5, 4, H, W]} and box rows, each pixel {@code scale x scale}; all steps, or only
     * step {@code onlyStep} when it is not negative.
     */
    public static BufferedImage render(SpikeTensor input, float[][] boxes, int scale, int onlyStep) {
        int first = onlyStep < 0 ? 0 : onlyStep;
        int steps = onlyStep < 0 ? input.dim(0) : 1;
        int h = input.dim(2);
        int w = input.dim(3);
        byte[] d = input.data();
        BufferedImage img = new BufferedImage((steps * (w + GAP) - GAP) * scale, h * scale, BufferedImage.TYPE_INT_RGB);
        for (int panel = 0; panel < steps; panel++) {
            int k = first + panel;
            int left = panel * (w + GAP);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int red = 0;
                    int blue = 0;
                    for (int b = 0; b < 2; b++) {
                        int level = b == 0 ? 150 : 255;
                        if (d[((k * 4 + 2 * b + 1) * h + y) * w + x] != 0) red = Math.max(red, level);
                        if (d[((k * 4 + 2 * b) * h + y) * w + x] != 0) blue = Math.max(blue, level);
                    }
                    int rgb = red == 0 && blue == 0 ? BACKGROUND : (red << 16) | (Math.min(red, blue) / 2 << 8) | blue;
                    fill(img, (left + x) * scale, y * scale, scale, scale, rgb);
                }
            }
            int xLimit = Math.min((left + w) * scale, img.getWidth());
            Canvas canvas = (x, y, rgb) -> {
                if (x >= left * scale && y >= 0 && x < xLimit && y < img.getHeight()) img.setRGB(x, y, rgb);
            };
            for (float[] box : boxes) {
                int colour = classColour((int) box[4]);
                drawBox(canvas, box, left * scale, scale, colour, colour, LABEL_BACKGROUND, true);
            }
        }
        return img;
    }

    /** Writes the picture as a PNG. */
    public static void write(Path png, SpikeTensor input, float[][] boxes, int scale, int onlyStep) throws IOException {
        if (!ImageIO.write(render(input, boxes, scale, onlyStep), "png", png.toFile()))
            throw new IOException("no PNG writer available");
    }

    /**
     * One picture of a whole window for a video: the top-left {@code width × height} pixels of
     * {@code window} ({@code [T, 4, H, W]}, or {@code [T, 1, 4, H, W]} as a detector's batch of one; wider
     * and taller when padded), each pixel {@code scale × scale}, in a 32-colour palette (what a GIF holds).
     * A pixel takes the colour of the latest step in which it fired: red for ON, blue for OFF, magenta for
     * both, brighter for later steps. Detections are drawn in their class colour with class name and score,
     * ground truth in white with its class name below the box, the caption at the top left.
     */
    public static BufferedImage frame(SpikeTensor window, int width, int height, int scale, Overlay overlay) {
        SpikeTensor in = window.rank() != 5
                ? window
                : window.view(window.dim(0), window.dim(1) * window.dim(2), window.dim(3), window.dim(4));
        if (in.rank() != 4 || in.dim(1) != 4 || in.dim(2) < height || in.dim(3) < width) {
            throw new IllegalArgumentException("WindowImage.frame: need [T, 4, >=" + height + ", >=" + width
                    + "] spikes, got " + Arrays.toString(window.shapeRef()));
        }
        int steps = in.dim(0), ph = in.dim(2), pw = in.dim(3);
        byte[] d = in.data();
        BufferedImage img = new BufferedImage(width * scale, height * scale, BufferedImage.TYPE_BYTE_INDEXED, PALETTE);
        WritableRaster raster = img.getRaster();
        int[] row = new int[width * scale];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int index = 0;
                for (int k = steps - 1; k >= 0 && index == 0; k--) {
                    boolean on = false, off = false;
                    for (int b = 0; b < 2; b++) {
                        on |= d[((k * 4 + 2 * b + 1) * ph + y) * pw + x] != 0;
                        off |= d[((k * 4 + 2 * b) * ph + y) * pw + x] != 0;
                    }
                    int level = Math.max(0, LEVELS - steps + k); // the last step is the brightest level
                    if (on && off) index = BOTH + level;
                    else if (on) index = ON + level;
                    else if (off) index = OFF + level;
                }
                for (int s = 0; s < scale; s++) row[x * scale + s] = index;
            }
            for (int s = 0; s < scale; s++) raster.setPixels(0, y * scale + s, row.length, 1, row);
        }
        Canvas canvas = (x, y, colour) -> {
            if (x >= 0 && y >= 0 && x < img.getWidth() && y < img.getHeight()) raster.setSample(x, y, 0, colour);
        };
        for (float[] box : overlay.truth()) drawBox(canvas, box, 0, scale, TRUTH, TRUTH, BLACK, false);
        for (float[] box : overlay.detections()) {
            int colour = (int) box[4] == 1 ? PEDESTRIAN : CAR;
            drawBox(canvas, box, 0, scale, colour, colour, BLACK, true);
        }
        int size = textSize(scale);
        int captionWidth = BitmapFont.width(overlay.caption(), size) + 2 * size;
        fillRect(canvas, 0, 0, captionWidth, BitmapFont.height(size) + 2 * size, BLACK);
        BitmapFont.draw(overlay.caption(), size, size, size, (x, y) -> canvas.set(x, y, WHITE));
        return img;
    }

    /** Sets one pixel to a colour: an RGB value or a palette index, as the picture takes them. */
    @FunctionalInterface
    private interface Canvas {
        void set(int x, int y, int colour);
    }

    /**
     * A one-pixel outline of a box row at {@code (left + x·scale, y·scale)}, with its label: above the box
     * (inside it when there is no room above), or below it when {@code above} is false.
     */
    private static void drawBox(
            Canvas c,
            float[] box,
            int left,
            int scale,
            int lineColour,
            int textColour,
            int textBackground,
            boolean above) {
        int x0 = (int) (left + box[0] * scale);
        int y0 = (int) (box[1] * scale);
        int w = Math.round(box[2] * scale);
        int h = Math.round(box[3] * scale);
        rectangle(c, x0, y0, w, h, lineColour);
        String label = className((int) box[4]) + (box.length > 5 ? String.format(Locale.ROOT, " %.2f", box[5]) : "");
        if (!BitmapFont.canDraw(label)) return; // an unknown class id: its box stays, unlabelled
        int size = textSize(scale);
        int th = BitmapFont.height(size) + 2;
        int ty = above ? (y0 - th >= 0 ? y0 - th : y0 + 1) : y0 + Math.max(h, 0) + 1;
        fillRect(c, x0, ty, BitmapFont.width(label, size) + 2, th, textBackground);
        BitmapFont.draw(label, x0 + 1, ty + 1, size, (x, y) -> c.set(x, y, textColour));
    }

    /** Text at one font pixel per image pixel up to scale 2, two above: readable without hiding the events. */
    private static int textSize(int scale) {
        return scale > 2 ? 2 : 1;
    }

    private static int classColour(int cls) {
        return cls >= 0 && cls < CLASS_COLOUR.length ? CLASS_COLOUR[cls] : 0xFFFFFF;
    }

    private static void fill(BufferedImage img, int x0, int y0, int w, int h, int rgb) {
        for (int y = y0; y < y0 + h; y++) {
            for (int x = x0; x < x0 + w; x++) img.setRGB(x, y, rgb);
        }
    }

    private static void fillRect(Canvas c, int x0, int y0, int w, int h, int colour) {
        for (int y = y0; y < y0 + h; y++) {
            for (int x = x0; x < x0 + w; x++) c.set(x, y, colour);
        }
    }

    /** A one-pixel outline; the canvas clips it. */
    private static void rectangle(Canvas c, int x0, int y0, int w, int h, int colour) {
        int x1 = x0 + w - 1;
        int y1 = y0 + h - 1;
        for (int x = x0; x <= x1; x++) {
            c.set(x, y0, colour);
            c.set(x, y1, colour);
        }
        for (int y = y0; y <= y1; y++) {
            c.set(x0, y, colour);
            c.set(x1, y, colour);
        }
    }

    private static IndexColorModel palette() {
        int n = WHITE + 1;
        byte[] r = new byte[n], g = new byte[n], b = new byte[n];
        set(r, g, b, 0, BACKGROUND);
        for (int level = 0; level < LEVELS; level++) {
            int v = 90 + (255 - 90) * level / (LEVELS - 1);
            set(r, g, b, ON + level, v << 16);
            set(r, g, b, OFF + level, v);
            set(r, g, b, BOTH + level, v << 16 | (v / 2) << 8 | v);
        }
        set(r, g, b, CAR, CLASS_COLOUR[0]);
        set(r, g, b, PEDESTRIAN, CLASS_COLOUR[1]);
        set(r, g, b, TRUTH, TRUTH_COLOUR);
        set(r, g, b, BLACK, 0x000000);
        set(r, g, b, WHITE, 0xFFFFFF);
        return new IndexColorModel(8, n, r, g, b);
    }

    private static void set(byte[] r, byte[] g, byte[] b, int i, int rgb) {
        r[i] = (byte) (rgb >> 16);
        g[i] = (byte) (rgb >> 8);
        b[i] = (byte) rgb;
    }
}
