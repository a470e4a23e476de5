package scn.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import scn.data.Boxes;
import scn.data.Dataset;
import scn.data.DatasetIndex;
import scn.data.Encoder;
import scn.data.EventWindow;
import scn.data.Labels;
import scn.data.WindowImage;
import scn.tensor.SpikeTensor;

/** {@code engine render}: a PNG of one encoded window with its label boxes. */
@Command(name = "render", description = "Write a PNG of an encoded 100 ms window (five 20 ms steps side by side) with its boxes drawn.")
final class RenderCommand implements Callable<Integer> {
    static final class Source {
        @Option(names = "--events",
                description = "An event file, *_td.dat or NAME.raw (with --at); boxes come from the NAME_bbox.npy "
                        + "beside it if there is one.")
        Path events;

        @Option(names = "--dataset", description = "A data folder (with --split and --index).")
        Path dataset;
    }

    @ArgGroup(multiplicity = "1")
    Source source;

    @Option(names = "--at", description = "Label time in µs (with --events).")
    Long at;

    @Option(names = "--split", description = "Split of --dataset (default: ${DEFAULT-VALUE}).")
    String split = "val";

    @Option(names = "--index", description = "Sample number within the split (default: ${DEFAULT-VALUE}).")
    int index;

    @Option(names = "--scale", description = "Pixels per sensor pixel (default: ${DEFAULT-VALUE}).")
    int scale = 2;

    @Option(names = "--step", description = "Draw only this time step (0..4) instead of all five.")
    int step = -1;

    @Option(names = "--out", required = true, description = "Output .png file.")
    Path out;

    @Override
    public Integer call() throws Exception {
        SpikeTensor input;
        float[][] boxes;
        String what;
        if (source.events != null) {
            if (at == null) throw new ParameterException(new CommandLine(this), "--events needs --at");
            EventWindow w = EventWindow.read(source.events, at - Encoder.WINDOW_US, at);
            input = Encoder.encode(w.events(), at, w.width(), w.height());
            String name = DatasetIndex.recordingName(source.events.getFileName().toString());
            Path bbox = source.events.resolveSibling((name == null ? "" : name) + "_bbox.npy");
            boxes = name != null && Files.exists(bbox) ? Labels.at(Boxes.read(bbox), at, w.width(), w.height())
                    : new float[0][];
            what = source.events.getFileName() + " at " + at + " µs";
        } else {
            try (Dataset ds = Dataset.open(source.dataset, split)) {
                if (index < 0 || index >= ds.size()) throw new ParameterException(new CommandLine(this), "--index " + index + " outside the " + ds.size() + " samples of " + split);
                Dataset.Sample s = ds.load(index, false);
                input = s.input();
                boxes = s.boxes();
                what = s.recording() + " at " + s.timestamp() + " µs";
            }
        }
        if (step >= input.dim(0)) throw new ParameterException(new CommandLine(this), "--step " + step + " outside 0.." + (input.dim(0) - 1));
        WindowImage.write(out, input, boxes, scale, step);
        System.out.printf("%s: %d boxes, %.3f%% ones -> %s%n", what, boxes.length, 100 * input.density(), out);
        return 0;
    }
}
