package scn.detect;

import java.io.IOException;
import java.nio.file.Path;
import scn.data.DatWriter;
import scn.data.events.Events;

/**
 * The tests' recording: the outline of a rectangle moving over a sensor, as events. Every millisecond a
 * fixed quarter of the outline's pixels fire (ON on the edges ahead of the motion, OFF behind), so the
 * event rate is steady and the 100 ms windows all hold about the same number of events. The rectangle
 * bounces between the sensor's sides, so a recording of any length stays on the sensor.
 */
public record MovingRectangle(int sensorWidth, int sensorHeight, int width, int height, double speedX, double speedY) {
    static final int MARGIN = 8;

    /** A 120×90 rectangle moving at 300 and 60 pixels per second on a {@code w × h} sensor. */
    public static MovingRectangle on(int sensorWidth, int sensorHeight) {
        return new MovingRectangle(sensorWidth, sensorHeight, 120, 90, 300, 60);
    }

    /** The rectangle's top-left corner at {@code t} µs. */
    public int[] corner(long t) {
        return new int[] {
            bounce(MARGIN + speedX * t / 1e6, sensorWidth - width - MARGIN),
            bounce(MARGIN + speedY * t / 1e6, sensorHeight - height - MARGIN)
        };
    }

    /** The events of {@code [0, micros)} µs, in time order. */
    public Events events(long micros) {
        Events out = new Events(1 << 16);
        for (long ms = 0; ms * 1000 < micros; ms++) {
            long t = ms * 1000 + 500;
            int[] c = corner(t);
            int[] before = corner(t - 1000);
            int onX = c[0] >= before[0] ? 1 : 0; // the right edge leads when moving right
            int onY = c[1] >= before[1] ? 1 : 0;
            int k = 0;
            for (int i = 0; i < width; i++, k++) {
                if ((k + ms) % 4 == 0) out.add(t, c[0] + i, c[1], 1 - onY);
                if ((k + ms) % 4 == 1) out.add(t, c[0] + i, c[1] + height - 1, onY);
            }
            for (int j = 0; j < height; j++, k++) {
                if ((k + ms) % 4 == 2) out.add(t, c[0], c[1] + j, 1 - onX);
                if ((k + ms) % 4 == 3) out.add(t, c[0] + width - 1, c[1] + j, onX);
            }
        }
        return out;
    }

    /** Writes the events of {@code [0, micros)} µs as a {@code .dat} with this sensor's size in its header. */
    public Path writeDat(Path file, long micros) throws IOException {
        Events ev = events(micros);
        try (DatWriter w = DatWriter.create(file, sensorWidth, sensorHeight)) {
            w.write(ev, 0, ev.size());
        }
        return file;
    }

    /** {@code v} folded into {@code [MARGIN, max]} as a ball bouncing between them. */
    private static int bounce(double v, int max) {
        double span = max - MARGIN;
        double u = (v - MARGIN) % (2 * span);
        return (int) Math.round(MARGIN + (u <= span ? u : 2 * span - u));
    }
}
