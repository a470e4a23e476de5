package scn.data;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import scn.data.events.DataFormatException;
import scn.data.events.EventStream;
import scn.data.events.Events;
import scn.data.raw.Evt3Decoder;
import scn.data.raw.RawCheckpoint;
import scn.data.raw.RawDecoder;
import scn.data.raw.RawFile;

/**
 * An event file that is still being written (a camera recording to disk), read as an {@link EventStream}
 * that waits for more: at the end of what is there it polls the file's size, reads on when the file has
 * grown, and ends once it has not grown for the idle time.
 *
 * <p>Both readers take the file's size when they are opened, so growth means opening again and going on
 * from where the last one stopped: a {@code .dat} from its next event, with the running maximum its
 * timestamps are clamped to ({@link DatFile#read(long, long, long, Events)}); a RAW file from the
 * decoder's checkpoint ({@link RawFile#seek}), which carries the time high, the EVT 3.0 row and the rest.
 *
 * <p>A writer is usually in the middle of something when we look. That is normal here, not an error:
 * <ul>
 *   <li>a {@code .dat} event record cut short: {@link DatFile#openGrowing} stops at the last whole record,
 *       and the cut one is read at the next opening;
 *   <li>a RAW word cut short: {@link RawFile} decodes whole words only (and warns about the rest); its
 *       checkpoint stands before the cut word, which the next opening decodes whole;
 *   <li>a header not finished yet: it fails to parse (a line without its end, no event type byte, no
 *       sensor size), and opening is tried again while the file grows. So that a header cut at a line's
 *       end is not taken for a finished one, a file counts as open only once data follows the header
 *       (one whole {@code .dat} record, one RAW word).
 * </ul>
 * A file that cannot be opened and has stopped growing for the idle time gets the error of its last
 * try; one that shrinks is an error. Not thread-safe.
 */
public final class FollowedFile implements EventStream {
    /** How long the file may stay the same size before the stream ends, and how often its size is read. */
    public record Options(Duration idle, Duration poll) {
        public Options {
            if (idle.isNegative() || poll.isNegative() || poll.isZero()) {
                throw new IllegalArgumentException("idle must be >= 0 and poll > 0, got " + idle + " and " + poll);
            }
        }
    }

    private static final int DAT_BATCH = 1 << 16;

    private final Path path;
    private final Options options;
    private final boolean isDat;
    private DatFile dat; // the current opening of a .dat, or null
    private long datNext; // the next event of the .dat to read
    private long datRunningMax; // the clamped time of the last .dat event read
    private long datClamped; // .dat events whose time was raised to the one before
    private RawFile raw; // the current opening of a RAW file, or null
    private final long[] earlierRawCounts = new long[4]; // dropped before time high, before row, clamped, steps back
    private int openings;
    private long openedAtSize; // the file's size just before the current opening
    private long lastSize;
    private long lastGrowth; // System.nanoTime() when the size last changed

    private FollowedFile(Path path, Options options, boolean isDat) {
        this.path = path;
        this.options = options;
        this.isDat = isDat;
    }

    /**
     * Opens {@code path} ({@code .dat} or {@code .raw}), waiting while it grows until it has a complete
     * header and some data. A missing file is an error at once; one that stops growing before it can be
     * read is an error after the idle time.
     */
    public static FollowedFile open(Path path, Options options) throws IOException {
        String name = path.getFileName() == null ? "" : path.getFileName().toString();
        boolean isDat = name.endsWith(".dat");
        if (!isDat && !name.endsWith(".raw")) throw new DataFormatException(path, "not an event file (.dat or .raw)");
        FollowedFile f = new FollowedFile(path, options, isDat);
        f.lastSize = Files.size(path);
        f.lastGrowth = System.nanoTime();
        while (true) {
            IOException failure;
            try {
                if (f.reopen()) return f;
                failure = new DataFormatException(
                        path,
                        "no event data after the header yet (followed for " + seconds(options.idle())
                                + " s without growth)");
            } catch (DataFormatException e) {
                failure = e;
            }
            if (f.idle()) {
                f.close();
                throw failure;
            }
            f.sleep();
        }
    }

    @Override
    public boolean next(Events out) throws IOException {
        while (true) {
            if (readOn(out)) return true;
            boolean idle = idle();
            if (lastSize > openedAtSize) {
                reopen();
                continue;
            }
            if (idle) return false;
            sleep();
        }
    }

    /** True once the file has kept its size for the idle time; notes growth, and refuses shrinking. */
    private boolean idle() throws IOException {
        long size = Files.size(path);
        if (size < lastSize) {
            throw new DataFormatException(
                    path, "the file shrank from " + lastSize + " to " + size + " bytes while followed");
        }
        long now = System.nanoTime();
        if (size != lastSize) {
            lastSize = size;
            lastGrowth = now;
            return false;
        }
        return now - lastGrowth >= options.idle().toNanos();
    }

    private void sleep() throws InterruptedIOException {
        try {
            Thread.sleep(options.poll());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while following " + path);
        }
    }

    /** Reads on in the current opening; false at its end. */
    private boolean readOn(Events out) throws IOException {
        if (!isDat) return raw.next(out);
        long from = datNext, to = Math.min(dat.eventCount(), datNext + DAT_BATCH);
        dat.read(from, to, datRunningMax, out);
        datNext = to;
        if (out.size() == 0) return false;
        for (int i = 0; i < out.size(); i++) if (dat.rawTime(from + i) < out.t()[i]) datClamped++;
        datRunningMax = out.t()[out.size() - 1]; // clamped times never decrease: the last is the maximum
        return true;
    }

    /**
     * Opens the file again at its present size and goes on where the last opening stopped. False (and
     * nothing changed) when the first opening finds no data after the header yet.
     */
    private boolean reopen() throws IOException {
        long size = Files.size(path);
        if (isDat) {
            DatFile next = DatFile.openGrowing(path);
            if (dat == null && next.eventCount() == 0) {
                next.close();
                return false;
            }
            if (dat != null) dat.close();
            dat = next;
        } else {
            RawFile next = RawFile.open(path);
            if (raw == null && next.wordCount() == 0) {
                next.close();
                return false;
            }
            if (raw != null) {
                RawCheckpoint at = raw.checkpoint();
                countWarnings(raw.decoder());
                raw.close();
                next.seek(at);
            }
            raw = next;
        }
        openedAtSize = size;
        lastSize = Math.max(lastSize, size);
        openings++;
        return true;
    }

    /** A RAW opening's counts of what it dropped or corrected, before it is replaced. */
    private void countWarnings(RawDecoder d) {
        earlierRawCounts[0] += d.droppedBeforeTimeHigh();
        if (d instanceof Evt3Decoder e) earlierRawCounts[1] += e.droppedBeforeAddrY();
        earlierRawCounts[2] += d.clamped();
        earlierRawCounts[3] += d.backwardSteps();
    }

    @Override
    public long clamped() {
        return isDat ? datClamped : earlierRawCounts[2] + (raw != null ? raw.clamped() : 0);
    }

    /** How many times the file was opened: once, plus once per growth seen. */
    public int openings() {
        return openings;
    }

    @Override
    public Path path() {
        return path;
    }

    @Override
    public String format() {
        return isDat ? "dat" : raw.format();
    }

    @Override
    public int width() {
        return isDat ? dat.width() : raw.width();
    }

    @Override
    public int height() {
        return isDat ? dat.height() : raw.height();
    }

    @Override
    public List<String> headerLines() {
        return isDat ? dat.headerLines() : raw.headerLines();
    }

    /**
     * The last opening's warnings (a RAW file that really ends inside a word is warned about there), and
     * what the earlier openings dropped or corrected, summed.
     */
    @Override
    public List<String> warnings() {
        List<String> out = new ArrayList<>();
        if (raw != null) out.addAll(raw.warnings());
        long[] c = earlierRawCounts;
        if (c[0] + c[1] + c[2] + c[3] > 0) {
            out.add(path + ": read in " + openings + " parts as it grew; before the last part, " + c[0]
                    + " events before the first time high and " + c[1] + " before the first row were dropped, "
                    + c[2] + " event times were clamped and the time high stepped back " + c[3] + " times");
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        if (dat != null) dat.close();
        if (raw != null) raw.close();
    }

    private static String seconds(Duration d) {
        return String.valueOf(d.toMillis() / 1000.0);
    }
}
