package scn.data.raw;

import java.io.IOException;
import scn.data.events.Events;

/**
 * Windows of a RAW recording by event number, the way a dataset reads a {@code .dat}: one pass
 * ({@link #scan}) finds, for each given time, the first event at or after it, the time before that event
 * (the clamp floor) and a checkpoint from which decoding reaches it; {@link #read} later decodes exactly
 * the events {@code [from, to)} from such a checkpoint, without touching what lies before it.
 *
 * <p>A checkpoint is the reader's state at the start of the batch holding the event, so a read decodes
 * at most one batch ({@code RawFile}'s chunk of words) before its window.
 */
public final class RawWindows {
    /** For one time: the first event at or after it, the latest time before that event, and where to resume. */
    public record Point(long event, long runningMax, RawCheckpoint checkpoint) {}

    /** What one pass found: the event count and time span, and a {@link Point} per time asked for. */
    public record Scan(long events, long firstTime, long lastTime, Point[] points) {}

    private RawWindows() {}

    /**
     * Decodes {@code f} from its start (checking every event against the sensor) and locates {@code times},
     * which must be sorted ascending. A time after the last event gets the event count and no checkpoint.
     */
    public static Scan scan(RawFile f, long[] times) throws IOException {
        Point[] points = new Point[times.length];
        Events batch = new Events(1 << 16);
        long count = 0;
        long first = 0;
        long last = 0;
        int next = 0;
        RawCheckpoint before = f.checkpoint();
        while (f.next(batch)) {
            long[] t = batch.t();
            int n = batch.size();
            if (count == 0) first = t[0];
            while (next < times.length && times[next] <= t[n - 1]) {
                int i = lowerBound(t, n, times[next]);
                points[next++] = new Point(count + i, i > 0 ? t[i - 1] : before.runningMax(), before);
            }
            count += n;
            last = t[n - 1];
            before = f.checkpoint();
        }
        while (next < times.length) points[next++] = new Point(count, last, null);
        return new Scan(count, first, last, points);
    }

    /**
     * Replaces {@code out} with events {@code [from, to)} of the file, decoding from {@code c} (a checkpoint
     * at or before event {@code from}); {@code batch} is scratch space.
     */
    public static void read(RawFile f, RawCheckpoint c, long from, long to, Events batch, Events out)
            throws IOException {
        if (c.events() > from) {
            throw new IllegalArgumentException("checkpoint at event " + c.events() + " is after event " + from);
        }
        out.clear();
        f.seek(c);
        long at = c.events();
        while (at < to && f.next(batch)) {
            int lo = (int) Math.max(0, from - at);
            int hi = (int) Math.min(batch.size(), to - at);
            if (lo < hi) out.append(batch, lo, hi);
            at += batch.size();
        }
        if (out.size() != to - from) {
            throw new IllegalStateException(f.path() + " holds fewer events than its index says: the file changed?");
        }
    }

    /** The first index in {@code t[0, n)} (non-decreasing) whose value is at least {@code time}. */
    private static int lowerBound(long[] t, int n, long time) {
        int lo = 0;
        int hi = n;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (t[mid] < time) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }
}
