package scn.data;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import scn.data.events.Events;

/**
 * Writes events as a numpy structured array, streamed: {@code np.load} gives a 1-D array of the packed
 * dtype {@code [('t', '<i8'), ('x', '<i2'), ('y', '<i2'), ('p', '|u1')]} (13 bytes a row), times in µs.
 * The header goes first with room for any count and is rewritten with the real count on {@link #close()},
 * so memory stays bounded by one buffer however many events are written. Not a general .npy writer
 * ({@link NpyWriter} is); {@link NpyArray} reads what this writes.
 */
public final class NpyEventsWriter implements AutoCloseable {
    static final String DESCR = "[('t', '<i8'), ('x', '<i2'), ('y', '<i2'), ('p', '|u1')]";
    static final int ROW_BYTES = 13;

    private final FileChannel channel;
    private final OutputStream out;
    private final int headerBytes;
    private final ByteBuffer rows = ByteBuffer.allocate(ROW_BYTES * 4096).order(ByteOrder.LITTLE_ENDIAN);
    private long count;

    private NpyEventsWriter(FileChannel channel) throws IOException {
        this.channel = channel;
        this.out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
        byte[] placeholder = NpyWriter.header(1, DESCR, new long[] {Long.MAX_VALUE}, 0);
        this.headerBytes = placeholder.length;
        out.write(placeholder);
    }

    public static NpyEventsWriter create(Path path) throws IOException {
        FileChannel ch = FileChannel.open(
                path, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
        try {
            return new NpyEventsWriter(ch);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** Appends events {@code [from, to)} of {@code ev}. */
    public void write(Events ev, int from, int to) throws IOException {
        for (int i = from; i < to; i++) {
            if (rows.remaining() < ROW_BYTES) flushRows();
            rows.putLong(ev.t()[i]).putShort(ev.x()[i]).putShort(ev.y()[i]).put(ev.p()[i]);
        }
        count += to - from;
    }

    public long count() {
        return count;
    }

    private void flushRows() throws IOException {
        out.write(rows.array(), 0, rows.position());
        rows.clear();
    }

    /** Writes what is buffered and the header with the real count. */
    @Override
    public void close() throws IOException {
        try (channel) {
            flushRows();
            out.flush();
            ByteBuffer header = ByteBuffer.wrap(NpyWriter.header(1, DESCR, new long[] {count}, headerBytes));
            while (header.hasRemaining()) channel.write(header, header.position());
        }
    }
}
