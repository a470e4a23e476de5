package scn.data.raw;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scn.cli.Main;
import scn.data.Boxes;
import scn.data.events.Events;
import scn.detect.MovingRectangle;
import scn.model.ModelFiles;
import scn.nn.ModelConfig;
import scn.nn.SpikingCenterNet;

/** {@code detect --events} on a Prophesee RAW recording (EVT 3.0) of a 640x480 sensor: binned by 2 automatically. */
class RawDetectionTest {
    @TempDir
    Path dir;

    @Test
    void aRawRecordingIsDetectedInSensorPixels() throws Exception {
        Events ev = MovingRectangle.on(640, 480).events(350_000);
        List<RawEventEncoder.Ev> list = new ArrayList<>();
        for (int i = 0; i < ev.size(); i++) {
            list.add(new RawEventEncoder.Ev(ev.t()[i], ev.x()[i], ev.y()[i], ev.p()[i]));
        }
        Path raw = RawEventEncoder.evt3(list, new SplittableRandom(5)).words().write(dir.resolve("cam.raw"), 640, 480);
        Path weights = dir.resolve("w.safetensors");
        ModelFiles.save(weights, new SpikingCenterNet(new ModelConfig(0.0625, 1.5, 5, 2, false), 4));
        Path out = dir.resolve("out");
        int code = Main.run(
                "detect", "--events", raw.toString(), "--checkpoint", weights.toString(), "--out", out.toString());
        assertEquals(0, code);
        Boxes b = Boxes.read(out.resolve("cam_bbox.npy"));
        assertTrue(b.size() > 0);
        for (int i = 0; i < b.size(); i++) {
            long k = (b.t(i) - 100_500) / 50_000;
            assertTrue(b.t(i) == 100_500 + 50_000 * k && k >= 0 && k <= 4, "a window's end: " + b.t(i));
            assertTrue(b.x(i) >= 0 && b.x(i) + b.w(i) <= 640 && b.y(i) >= 0 && b.y(i) + b.h(i) <= 480);
        }
    }
}
