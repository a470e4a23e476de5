package scn.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scn.tensor.SpikeTensor;

/** Pictures of windows: labelled boxes, the one-picture video frame, and the animated GIF that holds frames. */
class WindowImageTest {
    static final int CAR = 0x30E030, PEDESTRIAN = 0xF0E020, WHITE = 0xFFFFFF;

    @TempDir
    Path dir;

    /** How many pixels of {@code rgb} the rectangle {@code [x0, x1) x [y0, y1)} holds. */
    static int count(BufferedImage img, int x0, int y0, int x1, int y1, int rgb) {
        int n = 0;
        for (int y = Math.max(0, y0); y < Math.min(img.getHeight(), y1); y++) {
            for (int x = Math.max(0, x0); x < Math.min(img.getWidth(), x1); x++) {
                if ((img.getRGB(x, y) & 0xFFFFFF) == rgb) n++;
            }
        }
        return n;
    }

    @Test
    void boxesAreLabelledWithClassAndScore() {
        SpikeTensor empty = SpikeTensor.zeros(5, 4, 60, 80);
        BufferedImage img = WindowImage.render(empty, new float[][] {{10, 30, 40, 20, 0, 0.87f}}, 1, 0);
        assertEquals(CAR, img.getRGB(10, 30) & 0xFFFFFF, "the box");
        // "car 0.87": 8 glyphs of 5 pixels, 1 apart, above the box's top left corner
        int lit = count(img, 10, 30 - 9, 10 + 49, 30, CAR);
        assertTrue(lit > 40, "the label's text in the class colour: " + lit + " pixels");
        BufferedImage noScore = WindowImage.render(empty, new float[][] {{10, 30, 40, 20, 1}}, 1, 0);
        int name = count(noScore, 10, 21, 10 + 61, 30, PEDESTRIAN);
        assertTrue(name > 40, "'pedestrian'");
        assertEquals(0, count(noScore, 10 + 62, 21, 80, 30, PEDESTRIAN), "and no score after it");
    }

    @Test
    void aFrameShowsTheLatestStepAndBothKindsOfBoxes() {
        byte[] d = new byte[5 * 1 * 4 * 64 * 96]; // [T, B=1, C, H, W]: a padded window
        d[((0 * 4 + 1) * 64 + 5) * 96 + 7] = 1; // ON at (7, 5) in step 0
        d[((4 * 4 + 3) * 64 + 5) * 96 + 8] = 1; // ON at (8, 5) in step 4
        d[((4 * 4 + 2) * 64 + 5) * 96 + 8] = 1; // and OFF there too
        SpikeTensor window = SpikeTensor.wrap(d, 5, 1, 4, 64, 96);
        float[][] detections = {{30, 30, 20, 10, 1, 0.5f}};
        float[][] truth = {{5, 40, 10, 10, 0}};
        var overlay = new WindowImage.Overlay(detections, truth, "t 1.250 s");
        BufferedImage img = WindowImage.frame(window, 90, 60, 2, overlay);
        assertEquals(180, img.getWidth(), "the frame, not its padding");
        assertEquals(120, img.getHeight());
        int early = img.getRGB(14, 10) & 0xFFFFFF, late = img.getRGB(16, 10) & 0xFFFFFF;
        assertEquals(90 << 16, early, "ON in the first step: the dimmest red");
        assertEquals(255 << 16 | 127 << 8 | 255, late, "ON and OFF in the last step: full magenta");
        assertEquals(PEDESTRIAN, img.getRGB(60, 60) & 0xFFFFFF, "the detection's box corner");
        assertEquals(WHITE, img.getRGB(10, 80) & 0xFFFFFF, "the ground truth's box corner");
        assertTrue(count(img, 10, 101, 40, 110, WHITE) > 15, "'car' below the ground truth's box");
        assertTrue(count(img, 0, 0, 60, 9, WHITE) > 30, "the caption");
        assertThrows(
                IllegalArgumentException.class,
                () -> new WindowImage.Overlay(detections, truth, "Time"),
                "a caption the font cannot draw");
    }

    @Test
    void anAnimatedGifHoldsEveryFrame() throws Exception {
        Path gif = dir.resolve("v.gif");
        SpikeTensor window = SpikeTensor.zeros(5, 4, 64, 80);
        try (GifWriter w = GifWriter.create(gif, 50)) {
            for (int i = 0; i < 7; i++) {
                var overlay = new WindowImage.Overlay(
                        new float[][] {{20 + i, 30, 8, 8, 0, 0.9f}}, new float[0][], "t " + i + " s");
                w.add(WindowImage.frame(window, 80, 64, 1, overlay));
            }
            assertEquals(7, w.frames());
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(gif.toFile())) {
            ImageReader reader = ImageIO.getImageReadersByFormatName("gif").next();
            reader.setInput(in);
            assertEquals(7, reader.getNumImages(true));
            var root = (IIOMetadataNode) reader.getImageMetadata(3).getAsTree("javax_imageio_gif_image_1.0");
            IIOMetadataNode control = (IIOMetadataNode)
                    root.getElementsByTagName("GraphicControlExtension").item(0);
            assertEquals("5", control.getAttribute("delayTime"), "50 ms = 5 hundredths");
            assertEquals(CAR, reader.read(6).getRGB(26, 34) & 0xFFFFFF, "frame 6's box has its left side at x = 26");
            assertEquals(0x202020, reader.read(5).getRGB(26, 34) & 0xFFFFFF, "frame 5's at x = 25");
        }
    }
}
