package scn.cli;

import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import scn.data.Boxes;
import scn.data.DatFile;
import scn.data.Dataset;
import scn.data.DatasetIndex;
import scn.data.EventFiles;
import scn.data.Labels;
import scn.data.NpyArray;
import scn.data.events.EventStream;
import scn.data.events.Events;
import scn.data.raw.Evt3Decoder;
import scn.data.raw.RawDecoder;
import scn.data.raw.RawFile;
import scn.data.raw.RawHeader;

/**
 * {@code engine inspect}: what is in an event file ({@code .dat}, {@code .raw}), a {@code .npy} or a data
 * folder; with {@code --json}, a file's summary also as JSON (format, width, height, events, t_first_us,
 * t_last_us and more; a value the file does not have is null).
 */
@Command(
        name = "inspect",
        description = "Summarise an event file (.dat or .raw: format, sensor, events, time span, rate, polarity, "
                + "skipped RAW words), a .npy (shape, dtype; events, or boxes per class and sizes) or a data folder.")
final class InspectCommand implements Callable<Integer> {
    private static final String[] CLASS_NAMES = {"car", "pedestrian"};

    @Parameters(
            paramLabel = "PATH",
            description = "A *_td.dat, a .raw, a .npy, or a folder with train/ val/ test/ (or one such split folder).")
    Path path;

    @Option(
            names = "--json",
            description = "Also write a file's summary to this JSON file (keys format, width, height, events, "
                    + "t_first_us, t_last_us, ...).")
    Path json;

    @Override
    public Integer call() throws Exception {
        String name = path.getFileName() == null ? "" : path.getFileName().toString();
        Map<String, Object> summary;
        if (Files.isDirectory(path)) {
            if (json != null) throw new IOException(path + ": --json summarises one file, not a folder");
            folder();
            return 0;
        } else if (name.endsWith(".dat") || name.endsWith(".raw")) {
            summary = events(path);
        } else if (name.endsWith(".npy")) {
            summary = npy(path);
        } else {
            throw new IOException(path + ": not a .dat, a .raw, a .npy or a folder");
        }
        if (json != null) {
            var gson = new GsonBuilder()
                    .setPrettyPrinting()
                    .serializeNulls()
                    .disableHtmlEscaping()
                    .create();
            Files.writeString(json, gson.toJson(summary) + "\n");
        }
        return 0;
    }

    /** A .dat or .raw file, read in batches. */
    private static Map<String, Object> events(Path p) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        try (EventStream s = EventFiles.open(p)) {
            System.out.println(p);
            for (String line : s.headerLines()) System.out.println("  header: " + line);
            m.put("file", p.toString());
            m.put("format", s.format());
            m.put("width", s.width());
            m.put("height", s.height());
            if (s instanceof RawFile raw) {
                RawHeader h = raw.header();
                System.out.println("  format: " + h.format().label() + " (from " + h.formatFrom()
                        + "), data at byte " + h.dataOffset() + ", "
                        + raw.wordCount() + " words");
                System.out.println("  sensor: " + s.width() + "x" + s.height() + " (from " + h.sizeFrom() + ")");
                m.put("format_from", h.formatFrom());
                m.put("size_from", h.sizeFrom());
                m.put("words", raw.wordCount());
            } else {
                try (DatFile f = DatFile.open(p)) {
                    System.out.println("  event type: " + (f.hasHeader() ? f.eventType() : "none (no header)")
                            + ", data at byte " + f.dataOffset());
                }
                System.out.println("  sensor: " + s.width() + "x" + s.height());
            }
            EventStats stats = new EventStats();
            Events ev = new Events();
            while (s.next(ev)) stats.add(ev);
            System.out.println(stats.text(s.clamped()));
            m.putAll(stats.json());
            m.put("clamped", s.clamped());
            if (s instanceof RawFile raw) m.putAll(rawCounts(raw));
            for (String w : s.warnings()) System.out.println("  warning: " + w);
            m.put("header", s.headerLines());
            m.put("warnings", s.warnings());
        }
        return m;
    }

    /** Skipped words by type, dropped events and loops of a RAW file, printed and as JSON fields. */
    private static Map<String, Object> rawCounts(RawFile raw) {
        RawDecoder d = raw.decoder();
        Map<String, Long> skipped = new LinkedHashMap<>();
        long[] byType = d.skippedWords();
        for (int type = 0; type < byType.length; type++) {
            if (byType[type] > 0) skipped.put(d.typeName(type), byType[type]);
        }
        long noRow = d instanceof Evt3Decoder e3 ? e3.droppedBeforeAddrY() : 0;
        System.out.println("  skipped words: "
                + (skipped.isEmpty()
                        ? "none"
                        : skipped.toString().replaceAll("[{}]", "").replace('=', ' ')));
        System.out.println("  dropped: " + d.droppedBeforeTimeHigh() + " events before the first time high, " + noRow
                + " before the first row; time-high loops: " + d.loops() + ", steps back: " + d.backwardSteps());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("skipped_words", skipped);
        m.put("dropped_before_time_high", d.droppedBeforeTimeHigh());
        m.put("dropped_before_addr_y", noRow);
        m.put("time_loops", d.loops());
        m.put("time_steps_back", d.backwardSteps());
        return m;
    }

    /**
     * A .npy, read whole: an event array (fields t, x, y, p, as {@code convert} writes), a box array, or
     * plain numbers. A .npy holds no sensor size: width and height are null.
     */
    private static Map<String, Object> npy(Path p) throws IOException {
        NpyArray a = NpyArray.read(p);
        System.out.println(p);
        System.out.println("  .npy version " + a.majorVersion() + ".0, shape " + Arrays.toString(a.shape()) + ", "
                + a.itemSize()
                + " bytes per element");
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("file", p.toString());
        m.put("format", "npy");
        m.put("width", null);
        m.put("height", null);
        m.put("shape", a.shape());
        List<String> fields = new ArrayList<>();
        for (NpyArray.Field f : a.fields()) {
            System.out.println("  field '" + f.name() + "': " + f.kind() + f.size() + " " + f.order() + " at offset "
                    + f.offset());
            fields.add(f.name() + " " + f.kind() + f.size());
        }
        m.put("fields", fields);
        if (a.isStructured() && Stream.of("t", "x", "y", "p").allMatch(n -> a.field(n) != null)) {
            EventStats stats = eventRows(a);
            System.out.println("  sensor: unknown (a .npy does not say; the events reach x = " + stats.maxX + ", y = "
                    + stats.maxY + ")");
            System.out.println(stats.text(0));
            m.putAll(stats.json());
            return m;
        }
        m.put("events", null);
        m.put("t_first_us", null);
        m.put("t_last_us", null);
        if (a.isStructured() && a.field("x") != null && a.field("class_id") != null) {
            Boxes b = Boxes.read(p);
            System.out.println("  boxes: " + b.size() + " rows at " + b.timestamps().length + " timestamps");
            m.put("boxes", b.size());
            for (int c = 0; c < Labels.NUM_CLASSES; c++) {
                List<float[]> rows = new ArrayList<>();
                for (int i = 0; i < b.size(); i++) {
                    if (b.classId(i) == c) rows.add(new float[] {b.x(i), b.y(i), b.w(i), b.h(i), c});
                }
                System.out.println("  " + sizes(CLASS_NAMES[c], rows));
            }
            Labels.problems(b, p, DatFile.DEFAULT_WIDTH, DatFile.DEFAULT_HEIGHT).stream()
                    .limit(10)
                    .forEach(w -> System.out.println("  problem: " + w));
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
            System.out.printf(
                    "  values: min %g, max %g, mean %g, %.4f%% non-zero%n",
                    min, max, v.length == 0 ? 0 : sum / v.length, v.length == 0 ? 0 : 100.0 * nonZero / v.length);
        }
        return m;
    }

    /** The statistics of an event array's rows, taken in batches. */
    private static EventStats eventRows(NpyArray a) {
        NpyArray.Field t = a.field("t");
        NpyArray.Field x = a.field("x");
        NpyArray.Field y = a.field("y");
        NpyArray.Field p = a.field("p");
        EventStats stats = new EventStats();
        Events ev = new Events(1 << 16);
        for (int from = 0; from < a.rows(); from += 1 << 16) {
            ev.clear();
            for (int i = from; i < Math.min(a.rows(), from + (1 << 16)); i++) {
                ev.add(a.getLong(i, t), (int) a.getLong(i, x), (int) a.getLong(i, y), (int) a.getLong(i, p));
            }
            stats.add(ev);
        }
        return stats;
    }

    private void folder() throws IOException {
        List<Path> splits = new ArrayList<>();
        for (String s : Dataset.SPLITS) {
            if (Files.isDirectory(path.resolve(s))) splits.add(path.resolve(s));
        }
        if (splits.isEmpty()) {
            try (Stream<Path> s = Files.list(path)) {
                if (s.anyMatch(q -> DatasetIndex.recordingName(q.getFileName().toString()) != null)) splits.add(path);
            }
        }
        if (splits.isEmpty())
            throw new IOException(path + ": no train/ val/ test/ folders and no *_td.dat or *.raw files");
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
                    for (float[] row : Labels.at(b, s.tL(), r.width(), r.height()))
                        perClass.get((int) row[4]).add(row);
                }
            }
            System.out.println(dir + ": " + ok + " recordings usable of "
                    + ds.index().recordings().size() + ", " + ds.size() + " samples, sensor " + ds.width() + "x"
                    + ds.height());
            System.out.printf(
                    "  events: %d over %.1f s, %.3f Mev/s%n",
                    events, seconds, seconds > 0 ? events / seconds * 1e-6 : 0);
            for (int c = 0; c < Labels.NUM_CLASSES; c++)
                System.out.println("  training labels, " + sizes(CLASS_NAMES[c], perClass.get(c)));
            for (String s : ds.skipped()) System.out.println("  skipped: " + s);
            if (warnings > 0) {
                System.out.println("  " + warnings + " warnings; the first:");
                ds.index().recordings().stream()
                        .flatMap(r -> r.warnings().stream())
                        .limit(5)
                        .forEach(w -> System.out.println("    " + w));
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
        return String.format(
                "%s: %d boxes, w min/median/max %.0f/%.0f/%.0f, h %.0f/%.0f/%.0f px",
                name, rows.size(), w[0], w[w.length / 2], w[w.length - 1], h[0], h[h.length / 2], h[h.length - 1]);
    }
}
