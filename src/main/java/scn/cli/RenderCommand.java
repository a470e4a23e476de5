package scn.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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

/**
 * {@code engine render}: a PNG of one encoded window with boxes, each labelled with its class name, and
 * its score where it has one: the labels of the window, or with {@code --boxes} the rows of another box
 * file at that time (a {@code detect} output, whose rows carry scores).
 */
@Command(
        name = "render",
        description = "Write a PNG of an encoded 100 ms window (five 20 ms steps side by side) "
                + "with its boxes drawn and labelled (class name, and score for detections).")
final class RenderCommand implements Callable<Integer> {
    static final class Source {
        @Option(
                names = "--events",
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

    @Option(
            names = "--boxes",
            paramLabel = "FILE_bbox.npy",
            description = "With --events: draw this box file's rows at --at instead of the labels "
                    + "(e.g. detect's output), with their scores.")
    Path boxFile;

    @Option(
            names = "--threshold",
            defaultValue = "0.3",
            description = "With --boxes: draw rows scoring at least this (default: ${DEFAULT-VALUE}).")
    float threshold;

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
            if (boxFile != null) boxes = scored(Boxes.read(boxFile), at, threshold);
            else if (name != null && Files.exists(bbox)) boxes = Labels.at(Boxes.read(bbox), at, w.width(), w.height());
            else boxes = new float[0][];
            what = source.events.getFileName() + " at " + at + " µs";
        } else {
            if (boxFile != null) throw new ParameterException(new CommandLine(this), "--boxes needs --events");
            try (Dataset ds = Dataset.open(source.dataset, split)) {
                if (index < 0 || index >= ds.size())
                    throw new ParameterException(
                            new CommandLine(this),
                            "--index " + index + " outside the " + ds.size() + " samples of " + split);
                Dataset.Sample s = ds.load(index, false);
                input = s.input();
                boxes = s.boxes();
                what = s.recording() + " at " + s.timestamp() + " µs";
            }
        }
        if (step >= input.dim(0))
            throw new ParameterException(new CommandLine(this), "--step " + step + " outside 0.." + (input.dim(0) - 1));
        WindowImage.write(out, input, boxes, scale, step);
        System.out.printf("%s: %d boxes, %.3f%% ones -> %s%n", what, boxes.length, 100 * input.density(), out);
        return 0;
    }

    /** Rows {@code (x, y, w, h, class, score)} of a box file at time {@code at} scoring at least {@code threshold}. */
    static float[][] scored(Boxes b, long at, float threshold) {
        List<float[]> rows = new ArrayList<>();
        for (int i = 0; i < b.size(); i++) {
            if (b.t(i) != at || !(b.confidence(i) >= threshold)) continue;
            rows.add(new float[] {b.x(i), b.y(i), b.w(i), b.h(i), b.classId(i), b.confidence(i)});
        }
        return rows.toArray(new float[0][]);
    }
}
