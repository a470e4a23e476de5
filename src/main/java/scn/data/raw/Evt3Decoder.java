package scn.data.raw;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import scn.data.events.DataFormatException;
import scn.data.events.Events;

/**
 * The EVT 3.0 decoder: 16-bit words, the type in the top 4 bits (Prophesee's "EVT 3.0 Format" page).
 * The format is a state machine: a word changes the row, the base column, the polarity or the time, or
 * emits events at the current state.
 *
 * <pre>
 * EVT_ADDR_Y    0x0   [10:0] y (bit 11: master/slave, ignored)
 * EVT_ADDR_X    0x2   [11] polarity, [10:0] x: one event at (x, y)
 * VECT_BASE_X   0x3   [11] polarity, [10:0] the base column of the vectors that follow
 * VECT_12       0x4   [11:0] mask: an event at base + i for every set bit i; then base += 12
 * VECT_8        0x5   [7:0] mask: the same for 8 columns; then base += 8
 * EVT_TIME_LOW  0x6   [11:0] time bits 11..0
 * EVT_TIME_HIGH 0x8   [11:0] time bits 23..12 (a change of it resets the low bits to 0, as OpenEB does)
 * EXT_TRIGGER   0xA   skipped and counted (as are OTHERS 0xE, CONTINUED_4 0x7, CONTINUED_12 0xF,
 *                     IMU 0xD and the reserved types 0x1, 0x9, 0xB, 0xC)
 * </pre>
 *
 * Words before the first time high are ignored (events among them dropped and counted, as OpenEB
 * does), and so are events before the first EVT_ADDR_Y after it (no row yet). All events of one word
 * share its time, so the clamp and the sensor check run once per word.
 */
public final class Evt3Decoder extends RawDecoder {
    static final int ADDR_Y = 0x0;
    static final int ADDR_X = 0x2;
    static final int VECT_BASE_X = 0x3;
    static final int VECT_12 = 0x4;
    static final int VECT_8 = 0x5;
    static final int TIME_LOW = 0x6;
    static final int TIME_HIGH = 0x8;

    private static final String[] NAMES = {
        "EVT_ADDR_Y",
        "reserved 0x1",
        "EVT_ADDR_X",
        "VECT_BASE_X",
        "VECT_12",
        "VECT_8",
        "EVT_TIME_LOW",
        "CONTINUED_4",
        "EVT_TIME_HIGH",
        "reserved 0x9",
        "EXT_TRIGGER",
        "reserved 0xB",
        "reserved 0xC",
        "IMU",
        "OTHERS",
        "CONTINUED_12"
    };

    /** The row before the first EVT_ADDR_Y: larger than any sensor, so events there fail the sensor check. */
    private static final int NO_ROW = 0xFFFF;

    private int y = NO_ROW;
    private int baseX;
    private int polarity;
    private int timeLow;
    private long timeBase; // loopBase + (timeHigh << 12)
    private long droppedBeforeAddrY;
    private short[] scratch = new short[0]; // [chunk words]

    Evt3Decoder(Path path, int width, int height, long dataOffset) {
        super(path, RawFormat.EVT3, width, height, dataOffset);
    }

    @Override
    public void decode(ByteBuffer words, int n, long firstWord, Events out) throws DataFormatException {
        if (scratch.length < n) scratch = new short[n];
        words.asShortBuffer().get(scratch, 0, n);
        decode(scratch, n, firstWord, out);
    }

    /** Decodes {@code words[0, n)}, word 0 being word {@code firstWord} of the stream; appends to {@code out}. */
    public void decode(short[] words, int n, long firstWord, Events out) throws DataFormatException {
        int first = started ? 0 : skipToFirstTimeHigh(words, n, firstWord);
        int k = out.size();
        out.resize(k + 12 * n); // at most 12 events per word; trimmed below
        long[] ts = out.t();
        short[] xs = out.x();
        short[] ys = out.y();
        byte[] ps = out.p();
        int w = width;
        int h = height;
        int row = y; // NO_ROW fails the sensor check below, which then drops instead of refusing
        int bx = baseX;
        int pol = polarity;
        int low = timeLow;
        long base = timeBase;
        long run = runningMax;
        int i = first;
        while (i < n) {
            // The hot loop takes the words that carry or place events and leaves on anything else (a time
            // high, a skipped type, an event that fails the sensor check), so it holds no call and keeps
            // its values in registers; those words are handled below it.
            for (; i < n; i++) {
                int word = words[i] & 0xFFFF;
                int type = word >>> 12;
                if (type == VECT_12 || type == VECT_8) {
                    int mask = type == VECT_12 ? word & 0xFFF : word & 0xFF;
                    if (mask != 0) {
                        if (bx + 31 - Integer.numberOfLeadingZeros(mask) >= w | row >= h) break;
                        long t = base + low;
                        if (t < run) {
                            t = run;
                            clamped += Integer.bitCount(mask);
                        }
                        run = t;
                        short sy = (short) row;
                        byte sp = (byte) pol;
                        do {
                            ts[k] = t;
                            xs[k] = (short) (bx + Integer.numberOfTrailingZeros(mask));
                            ys[k] = sy;
                            ps[k] = sp;
                            k++;
                            mask &= mask - 1;
                        } while (mask != 0);
                    }
                    bx += type == VECT_12 ? 12 : 8;
                } else if (type == ADDR_Y) {
                    row = word & 0x7FF;
                } else if (type == ADDR_X) {
                    int x = word & 0x7FF;
                    if (x >= w | row >= h) break;
                    long t = base + low;
                    if (t < run) {
                        t = run;
                        clamped++;
                    }
                    run = t;
                    ts[k] = t;
                    xs[k] = (short) x;
                    ys[k] = (short) row;
                    ps[k] = (byte) ((word >>> 11) & 1);
                    k++;
                } else if (type == VECT_BASE_X) {
                    bx = word & 0x7FF;
                    pol = (word >>> 11) & 1;
                } else if (type == TIME_LOW) {
                    low = word & 0xFFF;
                } else {
                    break;
                }
            }
            if (i == n) break;
            int word = words[i] & 0xFFFF;
            int type = word >>> 12;
            if (type == TIME_HIGH) {
                long value = word & 0xFFF;
                if (value != timeHigh) low = 0;
                base = timeHigh(value, firstWord + i);
            } else if (type == ADDR_X) {
                dropOrRefuse(out, k, firstWord + i, word & 0x7FF, row, 1);
            } else if (type == VECT_12 || type == VECT_8) {
                int mask = type == VECT_12 ? word & 0xFFF : word & 0xFF;
                dropOrRefuse(
                        out,
                        k,
                        firstWord + i,
                        bx + 31 - Integer.numberOfLeadingZeros(mask),
                        row,
                        Integer.bitCount(mask));
                bx += type == VECT_12 ? 12 : 8;
            } else {
                skippedWords[type]++;
            }
            i++;
        }
        out.resize(k);
        y = row;
        baseX = bx;
        polarity = pol;
        timeLow = low;
        timeBase = base;
        runningMax = run;
    }

    /**
     * Events that fail the sensor check: dropped (and counted) when there is no row yet, else an error
     * (the batch keeps the {@code k} events before them).
     */
    private void dropOrRefuse(Events out, int k, long word, int x, int row, int events) throws DataFormatException {
        if (row != NO_ROW) {
            out.resize(k);
            throw outside(word, x, row);
        }
        droppedBeforeAddrY += events;
    }

    /**
     * Before the first time high nothing has a time: as OpenEB does, every word up to it is ignored, state
     * words included (the row, base column and time low must come again). Returns the index after it.
     */
    private int skipToFirstTimeHigh(short[] words, int n, long firstWord) throws DataFormatException {
        for (int i = 0; i < n; i++) {
            int word = words[i] & 0xFFFF;
            int type = word >>> 12;
            if (type == TIME_HIGH) {
                timeLow = 0;
                timeBase = timeHigh(word & 0xFFF, firstWord + i);
                return i + 1;
            }
            if (type == ADDR_X) droppedBeforeTimeHigh++;
            else if (type == VECT_12) droppedBeforeTimeHigh += Integer.bitCount(word & 0xFFF);
            else if (type == VECT_8) droppedBeforeTimeHigh += Integer.bitCount(word & 0xFF);
            else skippedWords[type]++;
        }
        return n;
    }

    /** Events after the first time high but before the first EVT_ADDR_Y: dropped. */
    public long droppedBeforeAddrY() {
        return droppedBeforeAddrY;
    }

    @Override
    public String typeName(int type) {
        return NAMES[type];
    }

    @Override
    public RawCheckpoint checkpoint(long word, long events) {
        boolean hasRow = y != NO_ROW;
        return new RawCheckpoint(
                word,
                events,
                started,
                timeHigh,
                loopBase,
                runningMax,
                timeLow,
                hasRow ? y : 0,
                hasRow,
                baseX,
                polarity);
    }

    @Override
    public void restore(RawCheckpoint c) {
        started = c.started();
        timeHigh = c.timeHigh();
        loopBase = c.loopBase();
        runningMax = c.runningMax();
        timeLow = c.timeLow();
        y = c.yValid() ? c.y() : NO_ROW;
        baseX = c.baseX();
        polarity = c.polarity();
        timeBase = loopBase + (timeHigh << RawFormat.EVT3.lowBits());
    }
}
