package scn.data.raw;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import scn.data.events.EventStream;
import scn.data.events.Events;

/**
 * A Prophesee RAW recording ({@code .raw}: a {@link RawHeader}, then EVT 2.0 or EVT 3.0 words), decoded
 * front to back in chunks of {@value #CHUNK_WORDS} words read from the file as they are needed, so memory
 * stays bounded whatever the file's size.
 *
 * <p>A final word cut short (the file ends inside it) is dropped with a warning. {@link #checkpoint()}
 * and {@link #seek} let a reader come back to a point of the stream and decode on from there. Not
 * thread-safe: one reader at a time.
 */
public final class RawFile implements EventStream {
    static final int CHUNK_WORDS = 1 << 16;

    private final Path path;
    private final RawHeader header;
    private final FileChannel channel;
    private final RawDecoder decoder;
    private final long words; // complete words after the header
    private final int trailingBytes; // of a final word cut short
    private final ByteBuffer buffer; // [CHUNK_WORDS * word bytes] little-endian
    private long word; // the next word to decode
    private long events; // events returned so far

    private RawFile(Path path, RawHeader header, FileChannel channel) throws IOException {
        this.path = path;
        this.header = header;
        this.channel = channel;
        int wordBytes = header.format().wordBytes();
        long dataBytes = Math.max(0, channel.size() - header.dataOffset());
        this.words = dataBytes / wordBytes;
        this.trailingBytes = (int) (dataBytes % wordBytes);
        this.decoder = RawDecoder.create(header.format(), path, header.width(), header.height(), header.dataOffset());
        this.buffer = ByteBuffer.allocate(CHUNK_WORDS * wordBytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Opens a RAW file and reads its header; a file without a usable header is refused, naming it. */
    public static RawFile open(Path path) throws IOException {
        RawHeader header = RawHeader.read(path);
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
        try {
            return new RawFile(path, header, channel);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    @Override
    public Path path() {
        return path;
    }

    public RawHeader header() {
        return header;
    }

    @Override
    public String format() {
        return header.format().id();
    }

    @Override
    public int width() {
        return header.width();
    }

    @Override
    public int height() {
        return header.height();
    }

    @Override
    public List<String> headerLines() {
        return header.lines();
    }

    /** The decoder, for its counts of what was skipped and dropped. */
    public RawDecoder decoder() {
        return decoder;
    }

    /** Complete data words in the file. */
    public long wordCount() {
        return words;
    }

    @Override
    public boolean next(Events out) throws IOException {
        out.clear();
        int wordBytes = header.format().wordBytes();
        while (out.size() == 0 && word < words) {
            int n = (int) Math.min(CHUNK_WORDS, words - word);
            buffer.clear().limit(n * wordBytes);
            long at = header.dataOffset() + word * wordBytes;
            while (buffer.hasRemaining()) {
                if (channel.read(buffer, at + buffer.position()) < 0) {
                    throw new EOFException(path + ": the file shrank while being read");
                }
            }
            buffer.flip();
            decoder.decode(buffer, n, word, out);
            word += n;
        }
        events += out.size();
        return out.size() > 0;
    }

    /** The position before the next batch, to come back to with {@link #seek}. */
    public RawCheckpoint checkpoint() {
        return decoder.checkpoint(word, events);
    }

    /** Continues decoding from a checkpoint of this file (one this reader or another saved). */
    public void seek(RawCheckpoint c) {
        if (c.word() < 0 || c.word() > words) {
            throw new IllegalArgumentException("checkpoint at word " + c.word() + " outside " + path);
        }
        word = c.word();
        events = c.events();
        decoder.restore(c);
    }

    @Override
    public long clamped() {
        return decoder.clamped();
    }

    @Override
    public List<String> warnings() {
        List<String> out = new ArrayList<>();
        if (trailingBytes > 0) {
            long at = header.dataOffset() + words * header.format().wordBytes();
            out.add(path + ": at byte " + at + ": the file ends inside a word: 1 truncated final word (" + trailingBytes
                    + " of " + header.format().wordBytes() + " bytes) dropped");
        }
        if (decoder.droppedBeforeTimeHigh() > 0) {
            out.add(path + ": " + decoder.droppedBeforeTimeHigh()
                    + " events before the first EVT_TIME_HIGH dropped (they have no time)");
        }
        if (decoder instanceof Evt3Decoder d && d.droppedBeforeAddrY() > 0) {
            out.add(path + ": " + d.droppedBeforeAddrY()
                    + " events before the first EVT_ADDR_Y dropped (they have no row)");
        }
        if (decoder.backwardSteps() > 0) {
            out.add(path + ": the time high stepped back " + decoder.backwardSteps() + " times by at most "
                    + RawDecoder.BACKWARD_TOLERANCE_US + " µs (the first at word " + decoder.firstBackwardWord()
                    + ")");
        }
        if (decoder.clamped() > 0) {
            out.add(path + ": " + decoder.clamped()
                    + " events came with a time earlier than an event before them and took "
                    + "that event's time (as .dat times are clamped)");
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    @Override
    public String toString() {
        return "RawFile[" + path + ", " + header.format().label() + ", " + header.width() + "x" + header.height() + ", "
                + words + " words]";
    }
}
