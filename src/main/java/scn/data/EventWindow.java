package scn.data;

import java.io.IOException;
import java.nio.file.Path;
import scn.data.events.DataFormatException;
import scn.data.events.EventStream;
import scn.data.events.Events;

/**
 * The events of one time window {@code [from, to)} µs of an event file, with the file's sensor size: what
 * {@code encode} and {@code render} draw. A {@code .dat} is searched by time; a {@code .raw} is decoded
 * from its start up to the window's end (RAW has no index; a dataset keeps checkpoints instead, see
 * {@link DatasetIndex}). An empty window is an error naming the file, the window and the recording's span.
 */
public record EventWindow(Events events, int width, int height) {
    public static EventWindow read(Path file, long from, long to) throws IOException {
        if (file.getFileName() != null && file.getFileName().toString().endsWith(".dat")) {
            try (DatFile f = DatFile.open(file)) {
                Events ev = new Events();
                f.readTime(from, to, ev);
                if (ev.size() == 0) throw empty(file, from, to, f.firstTime(), f.lastTime());
                return new EventWindow(ev, f.width(), f.height());
            }
        }
        try (EventStream s = EventFiles.open(file)) {
            Events window = new Events();
            Events batch = new Events();
            long first = -1;
            long last = -1;
            while (s.next(batch)) {
                long[] t = batch.t();
                if (first < 0) first = t[0];
                last = t[batch.size() - 1];
                for (int i = 0; i < batch.size() && t[i] < to; i++) {
                    if (t[i] >= from) window.add(t[i], batch.x()[i], batch.y()[i], batch.p()[i]);
                }
                if (last >= to && window.size() > 0) break;
            }
            if (window.size() == 0) throw empty(file, from, to, first, last);
            return new EventWindow(window, s.width(), s.height());
        }
    }

    private static DataFormatException empty(Path file, long from, long to, long first, long last) {
        return new DataFormatException(
                file,
                "no events in the window [" + from + ", " + to + ") µs"
                        + (first < 0
                                ? " (the recording has no events)"
                                : " (the recording spans " + first + ".." + last + " µs)"));
    }
}
