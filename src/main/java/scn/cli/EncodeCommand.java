package scn.cli;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import scn.data.Encoder;
import scn.data.EventWindow;
import scn.data.NpyWriter;
import scn.tensor.SpikeTensor;

/** {@code engine encode}: the SPEC section 4 input tensor of one label time, as a uint8 {@code .npy}. */
@Command(
        name = "encode",
        description = "Encode the 100 ms window before a label time into a uint8 [5, 4, H, W] .npy (SPEC section 4).")
final class EncodeCommand implements Callable<Integer> {
    @Option(
            names = "--events",
            required = true,
            description = "An event file: a *_td.dat or a Prophesee .raw (EVT 2.0 or 3.0).")
    Path events;

    @Option(
            names = "--at",
            required = true,
            description = "Label time tL in microseconds; the window is [tL-100000, tL).")
    long at;

    @Option(names = "--out", required = true, description = "Output .npy file.")
    Path out;

    @Override
    public Integer call() throws Exception {
        EventWindow w = EventWindow.read(events, at - Encoder.WINDOW_US, at);
        SpikeTensor x = Encoder.encode(w.events(), at, w.width(), w.height());
        NpyWriter.writeUint8(out, x.data(), x.shape());
        System.out.printf(
                "%s: %d events in [%d, %d) µs -> %s uint8 %s, %.4f%% ones%n",
                events.getFileName(),
                w.events().size(),
                at - Encoder.WINDOW_US,
                at,
                out,
                Arrays.toString(x.shape()),
                100 * x.density());
        return 0;
    }
}
