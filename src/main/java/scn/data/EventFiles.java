package scn.data;

import java.io.IOException;
import java.nio.file.Path;
import scn.data.events.DataFormatException;
import scn.data.events.EventStream;
import scn.data.raw.RawFile;

/**
 * Opens an event file as an {@link EventStream} by its extension. It lives here, not on the interface: the
 * interface sits below the readers ({@code scn.data.raw} implements it), and this needs both of them.
 */
public final class EventFiles {
    private EventFiles() {}

    /** Opens {@code path} by its extension: {@code .dat} or {@code .raw}; anything else is refused. */
    public static EventStream open(Path path) throws IOException {
        String name = path.getFileName() == null ? "" : path.getFileName().toString();
        if (name.endsWith(".dat")) return new DatStream(DatFile.open(path));
        if (name.endsWith(".raw")) return RawFile.open(path);
        throw new DataFormatException(path, "not an event file (.dat or .raw)");
    }
}
