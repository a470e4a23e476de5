package scn.data.raw;

/**
 * Everything a RAW decoder needs to resume at a word boundary: the position ({@code word}, counted from
 * the first data word, and the number of {@code events} decoded before it) and the decoder's state there.
 * RAW words are not self-contained (EVT 2.0 events need the last time high, EVT 3.0 events the last
 * time high and low, row, base column and polarity), so this is what lets a dataset read one window of
 * a long recording without decoding everything before it.
 *
 * <p>{@code timeLow}, {@code y}, {@code yValid}, {@code baseX} and {@code polarity} are EVT 3.0's and 0 /
 * false for EVT 2.0. {@code runningMax} is the latest event time decoded before the checkpoint, to which
 * later times are clamped.
 */
public record RawCheckpoint(
        long word,
        long events,
        boolean started,
        long timeHigh,
        long loopBase,
        long runningMax,
        int timeLow,
        int y,
        boolean yValid,
        int baseX,
        int polarity) {
    /** The number of fields of {@link #toFields()}. */
    public static final int FIELDS = 11;

    /** The fields as text, for an index cache; {@link #parse} reads them back. */
    public String[] toFields() {
        return new String[] {
            "" + word,
            "" + events,
            started ? "1" : "0",
            "" + timeHigh,
            "" + loopBase,
            "" + runningMax,
            "" + timeLow,
            "" + y,
            yValid ? "1" : "0",
            "" + baseX,
            "" + polarity
        };
    }

    /** Reads {@link #FIELDS} fields from {@code f[from..]}; throws NumberFormatException on damaged text. */
    public static RawCheckpoint parse(String[] f, int from) {
        if (f.length < from + FIELDS) throw new NumberFormatException("a checkpoint needs " + FIELDS + " fields");
        return new RawCheckpoint(
                Long.parseLong(f[from]),
                Long.parseLong(f[from + 1]),
                flag(f[from + 2]),
                Long.parseLong(f[from + 3]),
                Long.parseLong(f[from + 4]),
                Long.parseLong(f[from + 5]),
                Integer.parseInt(f[from + 6]),
                Integer.parseInt(f[from + 7]),
                flag(f[from + 8]),
                Integer.parseInt(f[from + 9]),
                Integer.parseInt(f[from + 10]));
    }

    private static boolean flag(String s) {
        return switch (s) {
            case "0" -> false;
            case "1" -> true;
            default -> throw new NumberFormatException("not a flag: " + s);
        };
    }
}
