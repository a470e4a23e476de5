package scn.data.raw;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import scn.data.events.DataFormatException;
import scn.data.events.Events;

/**
 * What the EVT 2.0 and EVT 3.0 decoders share: the time-high counter and its loops, the clamp that keeps
 * event times from decreasing, and the counts of what was skipped. A decoder is a state machine fed one
 * chunk of words after another ({@link #decode}); chunks may split the stream at any word.
 *
 * <p>Time. Event time is {@code loopBase + (timeHigh << lowBits) + low} in µs, 64 bits. The time-high
 * counter wraps around (EVT 2.0 after 2^34 µs, EVT 3.0 after 2^24 µs = 16.8 s); a step back of at least
 * half its range is such a loop and adds one range to {@code loopBase}, so times keep increasing. A
 * smaller step back is not a loop: up to {@link #BACKWARD_TOLERANCE_US} it is tolerated and counted (the
 * events after it get the latest time seen, as {@code .dat} timestamps are clamped), beyond that the
 * stream is refused, naming the word. Events before the first time high have no time and are dropped
 * and counted, as OpenEB's decoders drop them.
 *
 * <p>Not thread-safe: one decoder per stream.
 */
public abstract sealed class RawDecoder permits Evt2Decoder, Evt3Decoder {
    /** Steps back of the time-high counter up to this many µs are tolerated; longer ones (not loops) are errors. */
    public static final long BACKWARD_TOLERANCE_US = 10_000;

    final Path path;
    final RawFormat format;
    final int width;
    final int height;
    private final long dataOffset;

    // The stream state (what a RawCheckpoint saves).
    boolean started; // a time high has been seen
    long timeHigh; // the last time-high counter value
    long loopBase; // µs added for the loops seen so far
    long runningMax; // the latest event time so far

    // What was skipped or corrected, over the whole stream.
    final long[] skippedWords = new long[16]; // [word type]
    long droppedBeforeTimeHigh;
    long clamped;
    long loops;
    long backwardSteps;
    long firstBackwardWord = -1;

    RawDecoder(Path path, RawFormat format, int width, int height, long dataOffset) {
        this.path = path;
        this.format = format;
        this.width = width;
        this.height = height;
        this.dataOffset = dataOffset;
    }

    /** A decoder for {@code format}; errors name {@code path} and byte offsets from {@code dataOffset} on. */
    public static RawDecoder create(RawFormat format, Path path, int width, int height, long dataOffset) {
        return switch (format) {
            case EVT2 -> new Evt2Decoder(path, width, height, dataOffset);
            case EVT3 -> new Evt3Decoder(path, width, height, dataOffset);
        };
    }

    /**
     * Decodes {@code n} little-endian words from {@code words} (position 0), the first being word number
     * {@code firstWord} of the data, and appends their events to {@code out}.
     */
    public abstract void decode(ByteBuffer words, int n, long firstWord, Events out) throws DataFormatException;

    /** The name of word type {@code type} (0..15) in this format, for the counts of skipped words. */
    public abstract String typeName(int type);

    /** The state before word {@code word}, {@code events} events having been decoded. */
    public abstract RawCheckpoint checkpoint(long word, long events);

    /** Returns to a state {@link #checkpoint} saved (the counts of skipped words are not rewound). */
    public abstract void restore(RawCheckpoint c);

    /** Words skipped, by type; only the types that carry no CD event appear (triggers, monitoring, ...). */
    public long[] skippedWords() {
        return skippedWords.clone();
    }

    /** CD events before the first time high (no time yet): dropped. */
    public long droppedBeforeTimeHigh() {
        return droppedBeforeTimeHigh;
    }

    /** Events whose time was raised to the latest time before them (after a tolerated step back). */
    public long clamped() {
        return clamped;
    }

    /** Time-high loops (wrap-arounds) crossed. */
    public long loops() {
        return loops;
    }

    /** Tolerated steps back of the time-high counter, and the first one's word (-1 if none). */
    public long backwardSteps() {
        return backwardSteps;
    }

    public long firstBackwardWord() {
        return firstBackwardWord;
    }

    /**
     * The time-high counter reads {@code value} at word {@code word}: counts a loop or a tolerated step
     * back, refuses a longer step back, and returns the new time base {@code loopBase + (value << lowBits)}.
     */
    final long timeHigh(long value, long word) throws DataFormatException {
        if (started) {
            long back = timeHigh - value;
            if (back > 0) {
                if (back >= 1L << (format.highBits() - 1)) {
                    loopBase += format.loopMicros();
                    loops++;
                } else if (back << format.lowBits() > BACKWARD_TOLERANCE_US) {
                    throw at(
                            word,
                            "the time high steps back from " + (loopBase + (timeHigh << format.lowBits()))
                                    + " to " + (loopBase + (value << format.lowBits())) + " µs: more than the "
                                    + BACKWARD_TOLERANCE_US + " µs tolerated, and too little to be a wrap-around");
                } else {
                    if (backwardSteps++ == 0) firstBackwardWord = word;
                }
            }
        }
        started = true;
        timeHigh = value;
        return loopBase + (value << format.lowBits());
    }

    /** An event outside the sensor: always an error, as in a {@code .dat}. */
    final DataFormatException outside(long word, int x, int y) {
        return at(word, "event (x=" + x + ", y=" + y + ") lies outside the " + width + "x" + height + " sensor");
    }

    /** A problem at data word {@code word}: the message names the byte offset in the file and the word. */
    final DataFormatException at(long word, String problem) {
        return DataFormatException.atOffset(
                path, dataOffset + word * format.wordBytes(), "(" + format.label() + " word " + word + ") " + problem);
    }
}
