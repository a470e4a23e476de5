package scn.data.events;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * An event file read from start to end in batches, whatever its format: a {@code .dat} or a Prophesee
 * RAW file ({@code .raw}, EVT 2.0 or 3.0). Memory stays bounded by one batch, so a multi-gigabyte
 * recording can be summarised or converted. Times in every batch are clamped (never decrease), as
 * {@link Events} promises. {@code scn.data.EventFiles.open} opens one by its extension.
 *
 * <p>For reading one window of a {@code .dat} by time, {@code scn.data.DatFile} is faster (it seeks); a dataset
 * reads RAW windows from checkpoints (see {@code scn.data.DatasetIndex}).
 */
public interface EventStream extends AutoCloseable {
    Path path();

    /** "dat", or the RAW encoding: "evt2" or "evt3". */
    String format();

    int width();

    int height();

    /** Replaces {@code out} with the next batch of events (at least one); false, with {@code out} empty, at the end. */
    boolean next(Events out) throws IOException;

    /** Events so far whose time was raised to the latest time before them (times that stepped back). */
    long clamped();

    /** Header lines, without their leading {@code "% "}. */
    List<String> headerLines();

    /** What was dropped, skipped or corrected so far, one message per kind, each naming the file. */
    List<String> warnings();

    @Override
    void close() throws IOException;
}
