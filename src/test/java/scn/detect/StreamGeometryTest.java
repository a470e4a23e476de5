package scn.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import scn.tensor.Tensor;

/** The downscale arithmetic: the automatic factor, the binned and padded sizes, and boxes back in sensor pixels. */
class StreamGeometryTest {
    @Test
    void autoFactorKeepsTheBinnedSensorAtLeastGen1() {
        assertEquals(1, StreamGeometry.autoFactor(304, 240), "GEN1 itself");
        assertEquals(2, StreamGeometry.autoFactor(608, 480), "2x GEN1");
        assertEquals(2, StreamGeometry.autoFactor(640, 480), "VGA (Gen3)");
        assertEquals(3, StreamGeometry.autoFactor(1280, 720), "HD (IMX636): 720/240 = 3 limits, not 1280/304 = 4.2");
        assertEquals(1, StreamGeometry.autoFactor(240, 180), "smaller than GEN1 (DAVIS240): never below 1");
        assertEquals(1, StreamGeometry.autoFactor(607, 479), "just under 2x GEN1");
    }

    @Test
    void binnedAndPaddedSizes() {
        StreamGeometry gen1 = StreamGeometry.auto(304, 240);
        assertEquals(List.of(304, 240, 320, 256), sizes(gen1), "GEN1 pads to the default 320x256");
        StreamGeometry hd = StreamGeometry.auto(1280, 720);
        assertEquals(List.of(427, 240, 448, 256), sizes(hd), "1280/3 = 426.7: the last column of bins is a third wide");
        StreamGeometry odd = new StreamGeometry(641, 481, 2);
        assertEquals(List.of(321, 241, 352, 256), sizes(odd));
        assertThrows(IllegalArgumentException.class, () -> new StreamGeometry(608, 480, 0));
        assertThrows(IllegalArgumentException.class, () -> new StreamGeometry(608, 480, 481));
    }

    private static List<Integer> sizes(StreamGeometry g) {
        return List.of(g.width(), g.height(), g.paddedWidth(), g.paddedHeight());
    }

    @Test
    void boxesScaleBackToSensorPixelsAndClipToTheSensor() {
        StreamGeometry g = new StreamGeometry(608, 480, 2);
        CenterNetDecoder.Detection d = g.toSensor(new CenterNetDecoder.Detection(10.5f, 20f, 30f, 40.25f, 0.9f, 1));
        assertEquals(new CenterNetDecoder.Detection(21f, 40f, 60f, 80.5f, 0.9f, 1), d);
        StreamGeometry odd = new StreamGeometry(641, 481, 2); // binned 321x241: its last bins reach 642 and 482
        CenterNetDecoder.Detection edge = odd.toSensor(new CenterNetDecoder.Detection(300f, 230f, 21f, 11f, 0.5f, 0));
        assertEquals(new CenterNetDecoder.Detection(600f, 460f, 41f, 21f, 0.5f, 0), edge, "clipped to 641x481");
    }

    /**
     * A hand-made head output for a 1216x960 sensor binned by 4 (304x240, padded 320x256: an 80x64 grid)
     * with one peak: the box is decoded and clipped in the binned frame, and lands in sensor pixels at 4x
     * its binned coordinates.
     */
    @Test
    void aHandMadeHeatmapDecodesToSensorPixels() {
        StreamGeometry g = new StreamGeometry(1216, 960, 4); // binned 304x240 padded 320x256: grid 80x64
        int gh = g.paddedHeight() / 4, gw = g.paddedWidth() / 4;
        Tensor heat = Tensor.full(-9f, 1, 2, gh, gw);
        Tensor off = Tensor.zeros(1, 2, gh, gw);
        Tensor size = Tensor.zeros(1, 2, gh, gw);
        int gx = 70, gy = 50; // centre (70.25 + offset) * 4 in binned pixels
        heat.data()[(1 * gh + gy) * gw + gx] = 3f; // class 1, pedestrian
        off.data()[gy * gw + gx] = 0.25f;
        off.data()[gh * gw + gy * gw + gx] = 0.5f;
        size.data()[gy * gw + gx] = 5f; // 20 binned pixels wide
        size.data()[gh * gw + gy * gw + gx] = 10f; // 40 tall
        CenterNetDecoder.Detection best = CenterNetDecoder.decode(g.decoderConfig(), heat, off, size)
                .get(0)
                .get(0);
        // binned: centre (281, 202), box (271, 182, 20, 40); sensor: x 4
        float score = CenterNetDecoder.sigmoid(3f);
        assertEquals(new CenterNetDecoder.Detection(271f, 182f, 20f, 40f, score, 1), best);
        assertEquals(new CenterNetDecoder.Detection(1084f, 728f, 80f, 160f, score, 1), g.toSensor(best));

        size.data()[gy * gw + gx] = 30f; // 120 binned pixels: past the binned frame's right edge (304)
        CenterNetDecoder.Detection wide = CenterNetDecoder.decode(g.decoderConfig(), heat, off, size)
                .get(0)
                .get(0);
        assertEquals(221f, wide.x());
        assertEquals(304f - 221f, wide.w(), "clipped to the binned 304, not beyond and not to anything smaller");
        assertEquals(1216f - 884f, g.toSensor(wide).w(), "reaches the sensor's right edge");
    }
}
