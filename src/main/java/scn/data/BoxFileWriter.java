package scn.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A box file ({@code *_bbox.npy} in Prophesee's 40-byte dtype, {@link Boxes.Dtype#PROPHESEE}) written row
 * by row while a stream is being detected, for a recording whose length is not known in advance.
 *
 * <p>{@link Boxes} holds every row in memory and writes once at the end; here memory holds only the rows
 * added since the last {@link #flush}. After every flush the file on disk is a complete {@code .npy} of
 * the rows so far: the header's shape is rewritten in place, and its length was reserved for the
 * largest row count an {@code .npy} 1.0 shape of {@code int} may say, so the rows never move. A recording
 * followed for hours can be evaluated while it runs, and a run that is stopped leaves valid boxes.
 */
public final class BoxFileWriter implements AutoCloseable {
    private static final Boxes.Dtype DTYPE = Boxes.Dtype.PROPHESEE;
    private static final int PENDING_ROWS = 1024;

    private final Path path;
    private final FileChannel channel;
    private final int headerBytes;
    private final ByteBuffer pending =
            ByteBuffer.allocate(PENDING_ROWS * DTYPE.itemSize).order(ByteOrder.LITTLE_ENDIAN);
    private long written; // rows on disk
    private long count; // rows added

    private BoxFileWriter(Path path, FileChannel channel) {
        this.path = path;
        this.channel = channel;
        this.headerBytes = NpyWriter.header(1, DTYPE.descr, new int[] {Integer.MAX_VALUE}).length;
    }

    /** Creates (or replaces) {@code path} and writes the header of an empty box file. */
    public static BoxFileWriter create(Path path) throws IOException {
        FileChannel ch = FileChannel.open(
                path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        BoxFileWriter w = new BoxFileWriter(path, ch);
        try {
            w.flush();
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        return w;
    }

    public Path path() {
        return path;
    }

    /** Adds one row (written at the next {@link #flush}, or earlier when many are waiting). */
    public void add(long t, float x, float y, float w, float h, int classId, long trackId, float confidence)
            throws IOException {
        if (!pending.hasRemaining()) flush();
        pending.putLong(t)
                .putFloat(x)
                .putFloat(y)
                .putFloat(w)
                .putFloat(h)
                .putInt(classId)
                .putInt((int) trackId)
                .putFloat(confidence)
                .putInt(0);
        count++;
    }

    /** Writes the waiting rows after those on disk, then the header with the new row count. */
    public void flush() throws IOException {
        if (count > Integer.MAX_VALUE) {
            throw new IOException(path + ": more than " + Integer.MAX_VALUE + " boxes do not fit a .npy 1.0 shape");
        }
        pending.flip();
        long at = headerBytes + written * DTYPE.itemSize;
        while (pending.hasRemaining()) at += channel.write(pending, at);
        pending.clear();
        written = count;
        ByteBuffer header = ByteBuffer.wrap(NpyWriter.header(1, DTYPE.descr, new int[] {(int) count}, headerBytes));
        if (header.remaining() != headerBytes) throw new IllegalStateException("box file header changed length");
        long pos = 0;
        while (header.hasRemaining()) pos += channel.write(header, pos);
    }

    /** Rows added so far. */
    public long count() {
        return count;
    }

    @Override
    public void close() throws IOException {
        try {
            flush();
        } finally {
            channel.close();
        }
    }
}
