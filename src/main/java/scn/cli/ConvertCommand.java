package scn.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import scn.data.DatWriter;
import scn.data.EventFiles;
import scn.data.NpyEventsWriter;
import scn.data.events.DataFormatException;
import scn.data.events.EventStream;
import scn.data.events.Events;

/**
 * {@code engine convert}: an event file ({@code .raw} or {@code .dat}) to a GEN1 {@code .dat} or a numpy
 * event array, exactly (every event, its clamped time, position and polarity) and streamed: one batch
 * in memory at a time. What the reader dropped or corrected is printed as warnings.
 */
@Command(
        name = "convert",
        description = "Convert an event file (.raw EVT 2.0/3.0 or .dat) to a GEN1 .dat or a numpy event array "
                + ".npy (fields t int64 µs, x int16, y int16, p uint8), streamed.")
final class ConvertCommand implements Callable<Integer> {
    /** A .dat record holds a 32-bit time: the latest it can hold, in µs (71.6 minutes). */
    static final long DAT_MAX_TIME = 0xFFFFFFFFL;

    @Option(names = "--events", required = true, description = "The input: a .raw or a .dat event file.")
    Path events;

    @Option(
            names = "--out",
            required = true,
            description = "The output: NAME.dat or NAME.npy (the extension picks the format).")
    Path out;

    @Override
    public Integer call() throws Exception {
        String name = out.getFileName() == null ? "" : out.getFileName().toString();
        if (!name.endsWith(".dat") && !name.endsWith(".npy"))
            throw new IOException(out + ": the output must end in .dat or .npy");
        long start = System.nanoTime();
        // Written beside the output and moved there when complete, so a failed conversion leaves no half file.
        Path part = out.resolveSibling(name + ".part");
        try (EventStream in = EventFiles.open(events)) {
            long count = name.endsWith(".dat") ? toDat(in, part) : toNpy(in, part);
            Files.move(part, out, StandardCopyOption.REPLACE_EXISTING);
            for (String w : in.warnings()) System.err.println("convert: warning: " + w);
            System.out.printf(
                    "%s (%s, %dx%d) -> %s: %d events in %.1f s%n",
                    events, in.format(), in.width(), in.height(), out, count, (System.nanoTime() - start) * 1e-9);
        } finally {
            Files.deleteIfExists(part);
        }
        return 0;
    }

    private static long toDat(EventStream in, Path file) throws IOException {
        Events ev = new Events();
        long done = 0;
        try (DatWriter w = DatWriter.create(file, in.width(), in.height())) {
            while (in.next(ev)) {
                if (ev.t()[ev.size() - 1] > DAT_MAX_TIME) {
                    int i = 0;
                    while (ev.t()[i] <= DAT_MAX_TIME) i++;
                    throw new DataFormatException(
                            in.path(),
                            "event " + (done + i) + " at " + ev.t()[i]
                                    + " µs is later than a .dat's "
                                    + "32-bit time can hold (" + DAT_MAX_TIME
                                    + " µs, 71.6 minutes); convert to .npy instead");
                }
                w.write(ev, 0, ev.size());
                done += ev.size();
            }
        }
        return done;
    }

    private static long toNpy(EventStream in, Path file) throws IOException {
        Events ev = new Events();
        try (NpyEventsWriter w = NpyEventsWriter.create(file)) {
            while (in.next(ev)) w.write(ev, 0, ev.size());
            return w.count();
        }
    }
}
