package scn.data;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import scn.data.events.DataFormatException;
import scn.data.events.Events;

/**
 * A Prophesee {@code .dat} event file (SPEC section 7), memory-mapped and read in place.
 *
 * <p>Layout: optional header lines that start with {@code "% "}, then (only when there was a header) one
 * byte of event type (0 = Event2D, 12 = CD) and one byte of event size (8), then 8-byte little-endian
 * records {@code [uint32 t, uint32 w]} with {@code x = w & 0x3FFF, y = (w >> 14) & 0x3FFF,
 * p = (w >> 28) & 1}. Files without Width/Height lines, or without any header, get the default sensor
 * size given to {@link #open(Path, int, int)}.
 *
 * <p>Timestamps may step backwards a little; every timestamp this class returns is clamped to the
 * running maximum of the raw timestamps before it. To search by time without decoding the whole file on
 * every query, {@link #lowerBound} keeps one running maximum per block of {@value #BLOCK} events (built
 * on first use by one scan) and binary-searches those; the answer is exact, not an approximation that
 * assumes sorted raw timestamps.
 *
 * <p>This class reads; {@link DatWriter} writes.
 */
public final class DatFile implements AutoCloseable {
    public static final int EVENT_SIZE = 8;
    public static final int TYPE_EVENT2D = 0;
    public static final int TYPE_CD = 12;
    public static final int DEFAULT_WIDTH = 304;
    public static final int DEFAULT_HEIGHT = 240;
    static final int BLOCK = 1024;
    private static final ValueLayout.OfLong LE_LONG =
            ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path path;
    private final Arena arena;
    private final MemorySegment file; // [fileSize] bytes
    private final List<String> headerLines;
    private final int eventType; // -1 when the file has no header
    private final int width;
    private final int height;
    private final long dataOffset;
    private final long eventCount;
    private volatile long[] blockMax; // [ceil(eventCount / BLOCK)] running max of raw t at each block's end

    private DatFile(
            Path path,
            Arena arena,
            MemorySegment file,
            List<String> headerLines,
            int eventType,
            int width,
            int height,
            long dataOffset) {
        this.path = path;
        this.arena = arena;
        this.file = file;
        this.headerLines = headerLines;
        this.eventType = eventType;
        this.width = width;
        this.height = height;
        this.dataOffset = dataOffset;
        this.eventCount = (file.byteSize() - dataOffset) / EVENT_SIZE;
    }

    /** Opens a file; a file without Width/Height is taken to be from the 304x240 GEN1 sensor. */
    public static DatFile open(Path path) throws IOException {
        return open(path, DEFAULT_WIDTH, DEFAULT_HEIGHT);
    }

    /** Opens a file; the default size applies when the header has no Width/Height (or there is no header). */
    public static DatFile open(Path path, int defaultWidth, int defaultHeight) throws IOException {
        return open(path, defaultWidth, defaultHeight, false);
    }

    /**
     * Opens a file that is still being written, as far as its last complete event record: the writer may
     * be in the middle of one, so bytes after it are left for a later opening instead of being an error.
     * Everything else (the header, the event type and size) is checked as {@link #open(Path)} checks it.
     */
    public static DatFile openGrowing(Path path) throws IOException {
        return open(path, DEFAULT_WIDTH, DEFAULT_HEIGHT, true);
    }

    private static DatFile open(Path path, int defaultWidth, int defaultHeight, boolean growing) throws IOException {
        Arena arena = Arena.ofShared();
        try {
            MemorySegment file;
            try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
                long size = ch.size();
                file = size == 0
                        ? MemorySegment.ofArray(new byte[0])
                        : ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            }
            return parse(path, arena, file, defaultWidth, defaultHeight, growing);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private static DatFile parse(Path path, Arena arena, MemorySegment file, int width, int height, boolean growing)
            throws DataFormatException {
        long size = file.byteSize();
        List<String> lines = new ArrayList<>();
        long pos = 0;
        while (pos + 1 < size
                && file.get(ValueLayout.JAVA_BYTE, pos) == '%'
                && file.get(ValueLayout.JAVA_BYTE, pos + 1) == ' ') {
            long end = pos;
            while (end < size && file.get(ValueLayout.JAVA_BYTE, end) != '\n') end++;
            if (end == size)
                throw DataFormatException.atOffset(path, pos, "header line has no end of line (truncated header)");
            byte[] bytes = file.asSlice(pos + 2, end - pos - 2).toArray(ValueLayout.JAVA_BYTE);
            String line = new String(bytes, StandardCharsets.ISO_8859_1).strip();
            lines.add(line);
            String[] words = line.split("\\s+");
            if (words.length >= 2 && (words[0].equals("Width") || words[0].equals("Height"))) {
                int value;
                try {
                    value = Integer.parseInt(words[1]);
                } catch (NumberFormatException e) {
                    throw DataFormatException.atOffset(path, pos, "header line '" + line + "' has no integer value");
                }
                if (value <= 0 || value > 0x4000)
                    throw DataFormatException.atOffset(
                            path, pos, "header line '" + line + "' gives an impossible sensor size");
                if (words[0].equals("Width")) width = value;
                else height = value;
            }
            pos = end + 1;
        }
        int type = -1;
        if (!lines.isEmpty()) {
            if (pos + 2 > size)
                throw DataFormatException.atOffset(
                        path, pos, "file ends inside the event type and size bytes after the header");
            type = file.get(ValueLayout.JAVA_BYTE, pos) & 0xFF;
            int eventSize = file.get(ValueLayout.JAVA_BYTE, pos + 1) & 0xFF;
            if (type != TYPE_EVENT2D && type != TYPE_CD) {
                throw DataFormatException.atOffset(
                        path, pos, "unknown event type " + type + " (expected 0 = Event2D or 12 = CD)");
            }
            if (eventSize != EVENT_SIZE) {
                throw DataFormatException.atOffset(
                        path, pos + 1, "unsupported event size " + eventSize + " (expected 8)");
            }
            pos += 2;
        }
        long dataBytes = size - pos;
        if (growing && dataBytes % EVENT_SIZE != 0) {
            file = file.asSlice(0, size - dataBytes % EVENT_SIZE); // the record being written: read it next time
        } else if (dataBytes % EVENT_SIZE != 0) {
            long tail = size - dataBytes % EVENT_SIZE;
            throw DataFormatException.atOffset(
                    path,
                    tail,
                    "truncated event record: " + (dataBytes % EVENT_SIZE) + " bytes left after "
                            + dataBytes / EVENT_SIZE + " complete 8-byte events");
        }
        return new DatFile(path, arena, file, List.copyOf(lines), type, width, height, pos);
    }

    public Path path() {
        return path;
    }

    /** The header lines without their leading {@code "% "}; empty for a file without a header. */
    public List<String> headerLines() {
        return headerLines;
    }

    public boolean hasHeader() {
        return !headerLines.isEmpty();
    }

    /** 0 (Event2D) or 12 (CD) from the header, or -1 for a file without a header. */
    public int eventType() {
        return eventType;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** Byte offset of the first event record. */
    public long dataOffset() {
        return dataOffset;
    }

    public long eventCount() {
        return eventCount;
    }

    /** The raw (unclamped) timestamp of event {@code i}. */
    public long rawTime(long i) {
        return file.get(LE_INT, dataOffset + i * EVENT_SIZE) & 0xFFFFFFFFL;
    }

    /** The clamped timestamp of the first event (0 for an empty file). */
    public long firstTime() {
        return eventCount == 0 ? 0 : rawTime(0);
    }

    /** The clamped timestamp of the last event, which is the largest raw timestamp (0 for an empty file). */
    public long lastTime() {
        long[] bm = blockMax();
        return bm.length == 0 ? 0 : bm[bm.length - 1];
    }

    /** Index of the first event whose clamped timestamp is {@code >= time}; {@link #eventCount()} if none. */
    public long lowerBound(long time) {
        long[] bm = blockMax();
        int lo = 0;
        int hi = bm.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (bm[mid] < time) lo = mid + 1;
            else hi = mid;
        }
        if (lo == bm.length) return eventCount;
        long running = lo == 0 ? 0 : bm[lo - 1];
        long end = Math.min(eventCount, (long) (lo + 1) * BLOCK);
        for (long i = (long) lo * BLOCK; i < end; i++) {
            running = Math.max(running, rawTime(i));
            if (running >= time) return i;
        }
        throw new IllegalStateException("block maximum of " + path + " is inconsistent with its events");
    }

    /** The clamp floor for event {@code i}: the largest raw timestamp among events {@code [0, i)} (0 if none). */
    public long runningMaxBefore(long i) {
        if (i <= 0) return 0;
        long[] bm = blockMax();
        int block = (int) (i / BLOCK);
        long running = block == 0 ? 0 : bm[block - 1];
        for (long j = (long) block * BLOCK; j < i; j++) running = Math.max(running, rawTime(j));
        return running;
    }

    /**
     * Decodes the events with clamped timestamps in {@code [from, to)} µs into {@code out} (replacing its contents).
     */
    public void readTime(long from, long to, Events out) throws DataFormatException {
        long a = lowerBound(from);
        long b = Math.max(a, lowerBound(to));
        read(a, b, out);
    }

    /**
     * Decodes events {@code [from, to)} into {@code out} (replacing its contents), clamping timestamps to the
     * running maximum from the start of the file. Throws, naming the byte offset, on an event outside the
     * sensor.
     */
    public void read(long from, long to, Events out) throws DataFormatException {
        if (from < 0 || to > eventCount || from > to) {
            throw new IndexOutOfBoundsException(
                    "events [" + from + ", " + to + ") outside [0, " + eventCount + ") of " + path);
        }
        read(from, to, runningMaxBefore(from), out);
    }

    /**
     * As {@link #read(long, long, Events)} with the clamp floor given: {@code runningMax} must be
     * {@link #runningMaxBefore}{@code (from)}, remembered from an earlier pass (a dataset index keeps it), so
     * a read touches only its own events.
     */
    public void read(long from, long to, long runningMax, Events out) throws DataFormatException {
        if (from < 0 || to > eventCount || from > to) {
            throw new IndexOutOfBoundsException(
                    "events [" + from + ", " + to + ") outside [0, " + eventCount + ") of " + path);
        }
        int n = Math.toIntExact(to - from);
        out.resize(n);
        decode(from, n, runningMax, out.t(), out.x(), out.y(), out.p());
    }

    private void decode(long from, int n, long running, long[] t, short[] x, short[] y, byte[] p)
            throws DataFormatException {
        MemorySegment seg = file;
        long off = dataOffset + from * EVENT_SIZE;
        int w = width;
        int h = height;
        for (int i = 0; i < n; i++, off += EVENT_SIZE) {
            long v = seg.get(LE_LONG, off);
            long ts = v & 0xFFFFFFFFL;
            int word = (int) (v >>> 32);
            int px = word & 0x3FFF;
            int py = (word >>> 14) & 0x3FFF;
            if (px >= w || py >= h) {
                throw DataFormatException.atOffset(
                        path, off, "event (x=" + px + ", y=" + py + ") lies outside the " + w + "x" + h + " sensor");
            }
            running = Math.max(running, ts);
            t[i] = running;
            x[i] = (short) px;
            y[i] = (short) py;
            p[i] = (byte) ((word >>> 28) & 1);
        }
    }

    private long[] blockMax() {
        long[] bm = blockMax;
        if (bm == null) {
            synchronized (this) {
                bm = blockMax;
                if (bm == null) {
                    bm = buildBlockMax();
                    blockMax = bm;
                }
            }
        }
        return bm;
    }

    private long[] buildBlockMax() {
        long[] bm = new long[Math.toIntExact((eventCount + BLOCK - 1) / BLOCK)];
        long running = 0;
        for (int k = 0; k < bm.length; k++) {
            long end = Math.min(eventCount, (long) (k + 1) * BLOCK);
            for (long i = (long) k * BLOCK; i < end; i++) running = Math.max(running, rawTime(i));
            bm[k] = running;
        }
        return bm;
    }

    @Override
    public void close() {
        arena.close();
    }

    @Override
    public String toString() {
        return "DatFile[" + path + ", " + eventCount + " events, " + width + "x" + height + "]";
    }
}
