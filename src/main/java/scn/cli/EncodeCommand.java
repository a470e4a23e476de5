package scn.cli;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import scn.data.DatFile;
import scn.data.DataFormatException;
import scn.data.Encoder;
import scn.data.Events;
import scn.data.NpyWriter;
import scn.tensor.SpikeTensor;

/** {@code engine encode}: the SPEC section 4 input tensor of one label time, as a uint8 {@code .npy}. */
@Command(name = "encode", description = "Encode the 100 ms window before a label time into a uint8 [5, 4, H, W] .npy (SPEC section 4).")
final class EncodeCommand implements Callable<Integer> {
    @Option(names = "--events", required = true, description = "A *_td.dat event file.")
    Path events;

    @Option(names = "--at", required = true, description = "Label time tL in microseconds; the window is [tL-100000, tL).")
    long at;

    @Option(names = "--out", required = true, description = "Output .npy file.")
    Path out;

    @Override
    public Integer call() throws Exception {
        try (DatFile f = DatFile.open(events)) {
            SpikeTensor x = encode(f, at);
            NpyWriter.writeUint8(out, x.data(), x.shape());
            System.out.printf("%s: %d events in [%d, %d) µs -> %s uint8 %s, %.4f%% ones%n", events.getFileName(),
                    windowEvents(f, at), at - Encoder.WINDOW_US, at, out, Arrays.toString(x.shape()), 100 * x.density());
        }
        return 0;
    }

    /** The window before {@code tL} encoded; an empty window is an error naming the file. */
    static SpikeTensor encode(DatFile f, long tL) throws DataFormatException {
        Events ev = new Events();
        f.readTime(tL - Encoder.WINDOW_US, tL, ev);
        if (ev.size() == 0) {
            throw new DataFormatException(f.path(), "no events in the window [" + (tL - Encoder.WINDOW_US) + ", " + tL + ") µs (the recording spans "
                    + f.firstTime() + ".." + f.lastTime() + " µs)");
        }
        return Encoder.encode(ev, tL, f.width(), f.height());
    }

    private static long windowEvents(DatFile f, long tL) {
        return f.lowerBound(tL) - f.lowerBound(tL - Encoder.WINDOW_US);
    }
}
