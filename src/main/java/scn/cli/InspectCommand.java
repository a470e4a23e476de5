package scn.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import scn.data.Boxes;
import scn.data.DatFile;
import scn.data.Dataset;
import scn.data.DatasetIndex;
import scn.data.Events;
import scn.data.Labels;
import scn.data.NpyArray;

/** {@code engine inspect}: what is in a {@code .dat}, a {@code .npy} or a data folder. */
@Command(name = "inspect", description = "Summarise a .dat (events, duration, rate, sensor), a .npy (shape, dtype; boxes per class and sizes) or a data folder.")
final class InspectCommand implements Callable<Integer> {
    private static final String[] CLASS_NAMES = {"car", "pedestrian"};

    @Parameters(paramLabel = "PATH", description = "A *_td.dat, a .npy, or a folder with train/ val/ test/ (or one such split folder).")
    Path path;

    @Override
    public Integer call() throws Exception {
        String name = path.getFileName() == null ? "" : path.getFileName().toString();
        if (Files.isDirectory(path)) folder();
        else if (name.endsWith(".dat")) dat(path);
        else if (name.endsWith(".npy")) npy(path);
        else throw new IOException(path + ": not a .dat, a .npy or a folder");
        return 0;
    }

    private static void dat(Path p) throws IOException {
        try (DatFile f = DatFile.open(p)) {
            System.out.println(p);
            for (String line : f.headerLines()) System.out.println("  header: " + line);
            System.out.println("  event type: " + (f.hasHeader() ? f.eventType() : "none (no header)") + ", data at byte " + f.dataOffset());
            System.out.println("  sensor: " + f.width() + "x" + f.height());
            long on = 0;
            int maxX = 0;
            int maxY = 0;
            long backwards = 0;
            Events ev = new Events();
            for (long from = 0; from < f.eventCount(); from += 1 << 20) {
                long to = Math.min(f.eventCount(), from + (1 << 20));
                f.read(from, to, ev);
                for (int i = 0; i < ev.size(); i++) {
                    on += ev.p()[i];
                    maxX = Math.max(maxX, ev.x()[i]);
                    maxY = Math.max(maxY, ev.y()[i]);
                    if (f.rawTime(from + i) < ev.t()[i]) backwards++;
                }
            }
            double duration = (f.lastTime() - f.firstTime()) * 1e-6;
            System.out.printf("  events: %d (ON %d, OFF %d), x <= %d, y <= %d, %d timestamps clamped forward%n", f.eventCount(), on, f.eventCount() - on,
                    maxX, maxY, backwards);
            System.out.printf("  time: %d .. %d µs, duration %.3f s, rate %.3f Mev/s%n", f.firstTime(), f.lastTime(), duration,
                    duration > 0 ? f.eventCount() / duration * 1e-6 : 0);
        }
    }

    private static void npy(Path p) throws IOException {
        NpyArray a = NpyArray.read(p);
        System.out.println(p);
        System.out.println("  .npy version " + a.majorVersion() + ".0, shape " + Arrays.toString(a.shape()) + ", " + a.itemSize() + " bytes per element");
        for (NpyArray.Field f : a.fields()) {
            System.out.println("  field '" + f.name() + "': " + f.kind() + f.size() + " " + f.order() + " at offset " + f.offset());
        }
        if (a.isStructured() && a.field("x") != null && a.field("class_id") != null) {
            Boxes b = Boxes.read(p);
            System.out.println("  boxes: " + b.size() + " rows at " + b.timestamps().length + " timestamps");
            for (int c = 0; c < Labels.NUM_CLASSES; c++) {
                List<float[]> rows = new ArrayList<>();
                for (int i = 0; i < b.size(); i++) {
                    if (b.classId(i) == c) rows.add(new float[] {b.x(i), b.y(i), b.w(i), b.h(i), c});
                }
                System.out.println("  " + sizes(CLASS_NAMES[c], rows));
            }
            Labels.problems(b, p, DatFile.DEFAULT_WIDTH, DatFile.DEFAULT_HEIGHT).stream().limit(10).forEach(m -> System.out.println("  problem: " + m));
        } else if (!a.isStructured()) {
            float[] v = a.toFloatArray();
            double sum = 0;
            long nonZero = 0;
            float min = Float.POSITIVE_INFINITY;
            float max = Float.NEGATIVE_INFINITY;
            for (float x : v) {
                sum += x;
                if (x != 0) nonZero++;
                min = Math.min(min, x);
                max = Math.max(max, x);
            }
            System.out.printf("  values: min %g, max %g, mean %g, %.4f%% non-zero%n", min, max, v.length == 0 ? 0 : sum / v.length,
                    v.length == 0 ? 0 : 100.0 * nonZero / v.length);
        }
    }

    private void folder() throws IOException {
        List<Path> splits = new ArrayList<>();
        for (String s : Dataset.SPLITS) {
            if (Files.isDirectory(path.resolve(s))) splits.add(path.resolve(s));
        }
        if (splits.isEmpty()) {
            try (Stream<Path> s = Files.list(path)) {
                if (s.anyMatch(q -> q.getFileName().toString().endsWith("_td.dat"))) splits.add(path);
            }
        }
        if (splits.isEmpty()) throw new IOException(path + ": no train/ val/ test/ folders and no *_td.dat files");
        for (Path dir : splits) split(dir);
    }

    private static void split(Path dir) throws IOException {
        try (Dataset ds = Dataset.open(dir, Files.isWritable(dir) ? dir.resolve(".scn-index.tsv") : null)) {
            long events = 0;
            double seconds = 0;
            int ok = 0;
            int warnings = 0;
            List<List<float[]>> perClass = List.of(new ArrayList<>(), new ArrayList<>());
            for (DatasetIndex.Recording r : ds.index().recordings()) {
                if (!r.ok()) continue;
                ok++;
                events += r.events();
                seconds += (r.lastTime() - r.firstTime()) * 1e-6;
                warnings += r.warnings().size();
                Boxes b = Boxes.read(r.bbox());
                for (DatasetIndex.Sample s : r.samples()) {
                    for (float[] row : Labels.at(b, s.tL(), r.width(), r.height())) perClass.get((int) row[4]).add(row);
                }
            }
            System.out.println(dir + ": " + ok + " recordings usable of " + ds.index().recordings().size() + ", " + ds.size() + " samples, sensor "
                    + ds.width() + "x" + ds.height());
            System.out.printf("  events: %d over %.1f s, %.3f Mev/s%n", events, seconds, seconds > 0 ? events / seconds * 1e-6 : 0);
            for (int c = 0; c < Labels.NUM_CLASSES; c++) System.out.println("  training labels, " + sizes(CLASS_NAMES[c], perClass.get(c)));
            for (String s : ds.skipped()) System.out.println("  skipped: " + s);
            if (warnings > 0) {
                System.out.println("  " + warnings + " warnings; the first:");
                ds.index().recordings().stream().flatMap(r -> r.warnings().stream()).limit(5).forEach(w -> System.out.println("    " + w));
            }
        }
    }

    /** "name: n boxes, w min/median/max ..., h ...". */
    private static String sizes(String name, List<float[]> rows) {
        if (rows.isEmpty()) return name + ": 0 boxes";
        float[] w = new float[rows.size()];
        float[] h = new float[rows.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = rows.get(i)[2];
            h[i] = rows.get(i)[3];
        }
        Arrays.sort(w);
        Arrays.sort(h);
        return String.format("%s: %d boxes, w min/median/max %.0f/%.0f/%.0f, h %.0f/%.0f/%.0f px", name, rows.size(), w[0], w[w.length / 2],
                w[w.length - 1], h[0], h[h.length / 2], h[h.length - 1]);
    }
}
