package scn.data.raw;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import scn.data.events.DataFormatException;
import scn.data.events.Events;

/**
 * The EVT 2.0 decoder: 32-bit words, the type in the top 4 bits (Prophesee's "EVT 2.0 Format" page).
 *
 * <pre>
 * CD_OFF        0x0   [31:28] type, [27:22] time low 6 bits, [21:11] x, [10:0] y; polarity 0
 * CD_ON         0x1   the same, polarity 1
 * EVT_TIME_HIGH 0x8   [27:0] time bits 33..6
 * EXT_TRIGGER   0xA   skipped and counted (as are OTHERS 0xE, CONTINUED 0xF, IMU 0xD and
 *                     the reserved types)
 * </pre>
 *
 * An event's time is {@code (time high << 6) | time low} plus the loops seen so far. The documentation
 * and OpenEB put CONTINUED at 0xF; 0x7 is not an EVT 2.0 type (it is EVT 3.0's and EVT 4.0's CONTINUED)
 * and is counted as reserved.
 */
public final class Evt2Decoder extends RawDecoder {
    static final int CD_OFF = 0x0;
    static final int CD_ON = 0x1;
    static final int TIME_HIGH = 0x8;

    private static final String[] NAMES = {
        "CD_OFF",
        "CD_ON",
        "reserved 0x2",
        "reserved 0x3",
        "reserved 0x4",
        "reserved 0x5",
        "reserved 0x6",
        "reserved 0x7",
        "EVT_TIME_HIGH",
        "reserved 0x9",
        "EXT_TRIGGER",
        "reserved 0xB",
        "reserved 0xC",
        "IMU_EVT",
        "OTHERS",
        "CONTINUED"
    };

    private long timeBase; // loopBase + (timeHigh << 6)
    private int[] scratch = new int[0]; // [chunk words]

    Evt2Decoder(Path path, int width, int height, long dataOffset) {
        super(path, RawFormat.EVT2, width, height, dataOffset);
    }

    @Override
    public void decode(ByteBuffer words, int n, long firstWord, Events out) throws DataFormatException {
        if (scratch.length < n) scratch = new int[n];
        words.asIntBuffer().get(scratch, 0, n);
        decode(scratch, n, firstWord, out);
    }

    /** Decodes {@code words[0, n)}, word 0 being word {@code firstWord} of the stream; appends to {@code out}. */
    public void decode(int[] words, int n, long firstWord, Events out) throws DataFormatException {
        int i = started ? 0 : skipToFirstTimeHigh(words, n, firstWord);
        int k = out.size();
        out.resize(k + n - i); // at most one event per word; trimmed below
        long[] ts = out.t();
        short[] xs = out.x();
        short[] ys = out.y();
        byte[] ps = out.p();
        int w = width;
        int h = height;
        long base = timeBase;
        long run = runningMax;
        long raised = 0;
        while (i < n) {
            // The hot loop takes CD events only and leaves on anything else, so it holds no call and
            // keeps its values in registers; the rare words are handled below it.
            for (; i < n; i++) {
                int word = words[i];
                int type = word >>> 28;
                int x = (word >>> 11) & 0x7FF;
                int y = word & 0x7FF;
                if (type > CD_ON | x >= w | y >= h) break;
                long t = base + ((word >>> 22) & 0x3F);
                if (t < run) {
                    t = run;
                    raised++;
                }
                run = t;
                ts[k] = t;
                xs[k] = (short) x;
                ys[k] = (short) y;
                ps[k] = (byte) type;
                k++;
            }
            if (i == n) break;
            int word = words[i];
            int type = word >>> 28;
            if (type <= CD_ON) {
                out.resize(k);
                throw outside(firstWord + i, (word >>> 11) & 0x7FF, word & 0x7FF);
            }
            if (type == TIME_HIGH) base = timeHigh(word & 0x0FFFFFFF, firstWord + i);
            else skippedWords[type]++;
            i++;
        }
        out.resize(k);
        timeBase = base;
        runningMax = run;
        clamped += raised;
    }

    /** Before the first time high events have no time: drops them; returns the index after that time high. */
    private int skipToFirstTimeHigh(int[] words, int n, long firstWord) throws DataFormatException {
        for (int i = 0; i < n; i++) {
            int type = words[i] >>> 28;
            if (type == TIME_HIGH) {
                timeBase = timeHigh(words[i] & 0x0FFFFFFF, firstWord + i);
                return i + 1;
            }
            if (type <= CD_ON) droppedBeforeTimeHigh++;
            else skippedWords[type]++;
        }
        return n;
    }

    @Override
    public String typeName(int type) {
        return NAMES[type];
    }

    @Override
    public RawCheckpoint checkpoint(long word, long events) {
        return new RawCheckpoint(word, events, started, timeHigh, loopBase, runningMax, 0, 0, false, 0, 0);
    }

    @Override
    public void restore(RawCheckpoint c) {
        started = c.started();
        timeHigh = c.timeHigh();
        loopBase = c.loopBase();
        runningMax = c.runningMax();
        timeBase = loopBase + (timeHigh << RawFormat.EVT2.lowBits());
    }
}
