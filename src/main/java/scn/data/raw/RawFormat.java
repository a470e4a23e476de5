package scn.data.raw;

import java.util.Locale;

/**
 * The two Prophesee RAW event encodings this engine decodes, with what differs between them: the word
 * size, how many low time bits the events (EVT 2.0) or the EVT_TIME_LOW word (EVT 3.0) carry below the
 * time-high counter, and how wide that counter is. Word types are in {@link Evt2Decoder} and
 * {@link Evt3Decoder}.
 */
public enum RawFormat {
    /** 32-bit words; a CD event carries 6 low time bits, EVT_TIME_HIGH the upper 28 (34-bit time). */
    EVT2("EVT 2.0", 4, 6, 28),
    /** 16-bit words; EVT_TIME_LOW carries 12 low time bits, EVT_TIME_HIGH the upper 12 (24-bit time). */
    EVT3("EVT 3.0", 2, 12, 12);

    /** Both encodings address at most 2048 x 2048 pixels (11-bit coordinates). */
    public static final int MAX_SIZE = 2048;

    private final String label;
    private final int wordBytes;
    private final int lowBits;
    private final int highBits;

    RawFormat(String label, int wordBytes, int lowBits, int highBits) {
        this.label = label;
        this.wordBytes = wordBytes;
        this.lowBits = lowBits;
        this.highBits = highBits;
    }

    /** A short name for reports and JSON: "evt2" or "evt3". */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** As Prophesee writes it: "EVT 2.0" or "EVT 3.0". */
    public String label() {
        return label;
    }

    public int wordBytes() {
        return wordBytes;
    }

    /** Time bits below the time-high counter. */
    public int lowBits() {
        return lowBits;
    }

    /** Width of the time-high counter; it wraps around ("loops") at {@code 2^highBits}. */
    public int highBits() {
        return highBits;
    }

    /** Microseconds from one time-high loop to the next: 2^34 (about 4.8 h) for EVT 2.0, 2^24 (16.8 s) for EVT 3.0. */
    public long loopMicros() {
        return 1L << (lowBits + highBits);
    }
}
