package scn.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import scn.tensor.SpikeTensor;

/**
 * A picture of an encoded window: the five 20 ms time steps side by side, ON events in red and OFF events
 * in blue (dimmer for the first 10 ms micro bin, full for the second), with the label boxes drawn on
 * every step (cars green, pedestrians yellow). Meant for people checking data by eye.
 */
public final class WindowImage {
    private static final int GAP = 4;
    private static final int BACKGROUND = 0x202020;
    private static final int[] CLASS_COLOUR = {0x30E030, 0xF0E020};

    private WindowImage() {}

    /**
     * Renders {@code input [5, 4, H, W]} and rows {@code (x, y, w, h, class)}, each pixel {@code scale x scale};
     * all steps, or only step {@code onlyStep} when it is not negative.
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
            for (float[] box : boxes) {
                int cls = (int) box[4];
                int colour = cls >= 0 && cls < CLASS_COLOUR.length ? CLASS_COLOUR[cls] : 0xFFFFFF;
                rectangle(img, (int) ((left + box[0]) * scale), (int) (box[1] * scale), Math.round(box[2] * scale), Math.round(box[3] * scale),
                        colour, (left + w) * scale);
            }
        }
        return img;
    }

    /** Writes the picture as a PNG. */
    public static void write(Path png, SpikeTensor input, float[][] boxes, int scale, int onlyStep) throws IOException {
        if (!ImageIO.write(render(input, boxes, scale, onlyStep), "png", png.toFile())) throw new IOException("no PNG writer available");
    }

    private static void fill(BufferedImage img, int x0, int y0, int w, int h, int rgb) {
        for (int y = y0; y < y0 + h; y++) {
            for (int x = x0; x < x0 + w; x++) img.setRGB(x, y, rgb);
        }
    }

    /** A one-pixel outline, clipped to the image and to the panel's right edge {@code xLimit}. */
    private static void rectangle(BufferedImage img, int x0, int y0, int w, int h, int rgb, int xLimit) {
        int x1 = x0 + w - 1;
        int y1 = y0 + h - 1;
        for (int x = x0; x <= x1; x++) {
            dot(img, x, y0, rgb, xLimit);
            dot(img, x, y1, rgb, xLimit);
        }
        for (int y = y0; y <= y1; y++) {
            dot(img, x0, y, rgb, xLimit);
            dot(img, x1, y, rgb, xLimit);
        }
    }

    private static void dot(BufferedImage img, int x, int y, int rgb, int xLimit) {
        if (x >= 0 && y >= 0 && x < Math.min(xLimit, img.getWidth()) && y < img.getHeight()) img.setRGB(x, y, rgb);
    }
}
