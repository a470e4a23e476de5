package scn.data.events;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A data file that cannot be read as what it claims to be: a truncated {@code .dat}, an unknown event
 * type, a {@code .npy} dtype we do not understand, a box outside the frame, an empty window.
 *
 * <p>The message always names the file and, where one exists, the byte offset or the row, so that a
 * user can open the file at that place. The CLI prints the message alone, without a stack trace.
 */
public final class DataFormatException extends IOException {
    public DataFormatException(Path file, String message) {
        super(file + ": " + message);
    }

    /** A problem at a byte offset of the file. */
    public static DataFormatException atOffset(Path file, long offset, String message) {
        return new DataFormatException(file, "at byte " + offset + ": " + message);
    }

    /** A problem in one row of a table (a box of a {@code _bbox.npy}). */
    public static DataFormatException atRow(Path file, long row, String message) {
        return new DataFormatException(file, "row " + row + ": " + message);
    }
}
