package scn.data;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import scn.data.events.Events;

/**
 * Writes a {@code .dat} event file in the layout {@link DatFile} reads: GEN1 header lines (with Width and
 * Height), the event type and size bytes, then 8-byte records. The writer does not sort: callers give
 * events in time order (it does check that coordinates fit the record's 14-bit fields).
 */
public final class DatWriter implements AutoCloseable {
    private final OutputStream out;
    private final ByteBuffer record = ByteBuffer.allocate(DatFile.EVENT_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    private long count;

    private DatWriter(OutputStream out) {
        this.out = out;
    }

    /** A file with a GEN1 header naming the sensor size, event type 0 and event size 8. */
    public static DatWriter create(Path path, int width, int height) throws IOException {
        DatWriter w = new DatWriter(new BufferedOutputStream(Files.newOutputStream(path), 1 << 16));
        w.header(
                "% Data file containing Event2D events.\n% Version 2\n% Width " + width + "\n% Height " + height + "\n",
                DatFile.TYPE_EVENT2D);
        return w;
    }

    /** A file with the given raw header text (each line starting with {@code "% "}) and event type; for tests. */
    public static DatWriter createWithHeader(Path path, String headerText, int eventType) throws IOException {
        DatWriter w = new DatWriter(new BufferedOutputStream(Files.newOutputStream(path), 1 << 16));
        w.header(headerText, eventType);
        return w;
    }

    /** A file of bare records, no header and no type/size bytes. */
    public static DatWriter createHeaderless(Path path) throws IOException {
        return new DatWriter(new BufferedOutputStream(Files.newOutputStream(path), 1 << 16));
    }

    private void header(String text, int eventType) throws IOException {
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.write(eventType);
        out.write(DatFile.EVENT_SIZE);
    }

    /** Appends one event; {@code t} is an unsigned 32-bit microsecond count. */
    public void write(long t, int x, int y, int p) throws IOException {
        check(t, x, y, p);
        record.clear();
        record.putInt((int) t).putInt(x | (y << 14) | (p << 28));
        out.write(record.array(), 0, DatFile.EVENT_SIZE);
        count++;
    }

    /** Appends events {@code [from, to)} of {@code ev}. */
    public void write(Events ev, int from, int to) throws IOException {
        // Records go out a block at a time: one stream write per event would cost more than the encoding.
        ByteBuffer block = ByteBuffer.allocate(DatFile.EVENT_SIZE * 4096).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = from; i < to; i++) {
            long t = ev.t()[i];
            int x = ev.x()[i];
            int y = ev.y()[i];
            int p = ev.p()[i];
            check(t, x, y, p);
            block.putInt((int) t).putInt(x | (y << 14) | (p << 28));
            if (!block.hasRemaining()) {
                out.write(block.array(), 0, block.position());
                block.clear();
            }
        }
        out.write(block.array(), 0, block.position());
        count += to - from;
    }

    private static void check(long t, int x, int y, int p) {
        if (t < 0 || t > 0xFFFFFFFFL) throw new IllegalArgumentException("timestamp " + t + " does not fit 32 bits");
        if (x < 0 || x > 0x3FFF || y < 0 || y > 0x3FFF || (p & ~1) != 0) {
            throw new IllegalArgumentException("event (x=" + x + ", y=" + y + ", p=" + p + ") does not fit a record");
        }
    }

    public long count() {
        return count;
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
