package scn.data;

import java.nio.file.Path;
import java.util.List;
import scn.data.events.DataFormatException;
import scn.data.events.EventStream;
import scn.data.events.Events;

/** A {@link DatFile} read front to back as an {@link EventStream}, {@value #BATCH} events at a time. */
final class DatStream implements EventStream {
    static final int BATCH = 1 << 20;

    private final DatFile file;
    private long next;
    private long clamped;

    DatStream(DatFile file) {
        this.file = file;
    }

    @Override
    public Path path() {
        return file.path();
    }

    @Override
    public String format() {
        return "dat";
    }

    @Override
    public int width() {
        return file.width();
    }

    @Override
    public int height() {
        return file.height();
    }

    @Override
    public boolean next(Events out) throws DataFormatException {
        long to = Math.min(file.eventCount(), next + BATCH);
        file.read(next, to, out);
        for (int i = 0; i < out.size(); i++) {
            if (file.rawTime(next + i) < out.t()[i]) clamped++;
        }
        next = to;
        return out.size() > 0;
    }

    @Override
    public long clamped() {
        return clamped;
    }

    @Override
    public List<String> headerLines() {
        return file.headerLines();
    }

    @Override
    public List<String> warnings() {
        return List.of();
    }

    @Override
    public void close() {
        file.close();
    }
}
