package scn.data;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import scn.data.events.DataFormatException;
import scn.data.events.Events;
import scn.data.raw.RawCheckpoint;
import scn.data.raw.RawFile;
import scn.data.raw.RawWindows;

/**
 * The index of one split folder of recordings, each an event file and a {@code NAME_bbox.npy} beside it:
 * for every recording its sensor size, event count and time span, and one sample per label timestamp
 * whose 100 ms window lies wholly inside the recording, with the window's event range and clamp floor,
 * so a loader later reads exactly the events it encodes and nothing else.
 *
 * <p>The event file is {@code NAME_td.dat} (GEN1's name) or a Prophesee RAW recording, {@code NAME.raw}
 * (Metavision's name) or {@code NAME_td.raw}. A RAW file cannot be read from the middle, so each of its
 * samples also keeps a {@link RawCheckpoint}: the decoder's state shortly before the window, from which
 * the window is decoded. Two event files that give one name make that recording unusable.
 *
 * <p>Building it decodes every event once (which also checks each event against the sensor), so it is
 * cached in a small text file and rebuilt per recording when either of its files changes size or
 * modification time. A recording that cannot be used (unreadable file, missing box file) is kept in the
 * index with its problem and no samples; rows and windows that cannot be used are warnings. Neither stops
 * the other recordings.
 */
public final class DatasetIndex {
    static final String MAGIC = "scn-index 3";
    private static final int CHUNK = 1 << 20;

    /**
     * One training sample: label time {@code tL}, events {@code [from, to)} of the window, the clamp floor
     * before {@code from}, and for a RAW recording where to start decoding (null for a {@code .dat}).
     */
    public record Sample(long tL, long from, long to, long runningMax, RawCheckpoint seek) {}

    /** One recording; {@code problem} is null when it is usable. */
    public record Recording(
            String name,
            Path eventFile,
            Path bbox,
            FileStamp eventFileStamp,
            FileStamp bboxStamp,
            int width,
            int height,
            long events,
            long firstTime,
            long lastTime,
            String problem,
            List<String> warnings,
            List<Sample> samples) {
        public boolean ok() {
            return problem == null;
        }
    }

    /** What makes a cached entry stale: size and modification time ({@code -1, -1} for a missing file). */
    public record FileStamp(long size, long mtimeMillis) {
        static FileStamp of(Path p) throws IOException {
            if (!Files.exists(p)) return new FileStamp(-1, -1);
            return new FileStamp(Files.size(p), Files.getLastModifiedTime(p).toMillis());
        }
    }

    private final List<Recording> recordings;
    private final int rebuilt;

    private DatasetIndex(List<Recording> recordings, int rebuilt) {
        this.recordings = List.copyOf(recordings);
        this.rebuilt = rebuilt;
    }

    public List<Recording> recordings() {
        return recordings;
    }

    /** How many recordings were (re)indexed rather than taken from the cache. */
    public int rebuiltCount() {
        return rebuilt;
    }

    /** A recording to (re)index: its event and box files, and their stamps when the folder was listed. */
    public record Stale(String name, Path eventFile, Path bbox, FileStamp eventFileStamp, FileStamp bboxStamp) {
        /** Indexes the recording; its problems become its {@code problem} or warnings, never an exception. */
        public Recording index() {
            return DatasetIndex.index(name, eventFile, bbox, eventFileStamp, bboxStamp);
        }
    }

    /** Indexes recordings, giving one {@link Recording} per {@link Stale} in the same order. */
    @FunctionalInterface
    public interface Indexer {
        List<Recording> indexAll(List<Stale> stale) throws IOException;
    }

    /**
     * Indexes {@code splitDir}, reusing the entries of {@code cacheFile} whose files are unchanged and
     * rewriting it; {@code cacheFile} may be null (no cache) and a cache that cannot be written is skipped.
     */
    public static DatasetIndex build(Path splitDir, Path cacheFile) throws IOException {
        return build(
                splitDir, cacheFile, stale -> stale.stream().map(Stale::index).toList());
    }

    /**
     * As {@link #build(Path, Path)}, the recordings that are not in the cache, or changed, indexed by {@code indexer}
     * (the Spark module's indexes each in a task of its own); the index and the cache file are the same whoever
     * indexes.
     */
    public static DatasetIndex build(Path splitDir, Path cacheFile, Indexer indexer) throws IOException {
        Map<String, List<Path>> byName = new TreeMap<>();
        try (Stream<Path> s = Files.list(splitDir)) {
            for (Path p : s.sorted().toList()) {
                String name = recordingName(p.getFileName().toString());
                if (name != null)
                    byName.computeIfAbsent(name, k -> new ArrayList<>()).add(p);
            }
        }
        Map<String, Recording> cached = cacheFile == null ? Map.of() : readCache(cacheFile, splitDir);
        List<Recording> out = new ArrayList<>(); // null where a stale recording goes, in name order
        List<Stale> stale = new ArrayList<>();
        for (Map.Entry<String, List<Path>> e : byName.entrySet()) {
            String name = e.getKey();
            Path events = e.getValue().get(0);
            Path bbox = splitDir.resolve(name + "_bbox.npy");
            FileStamp ds = FileStamp.of(events);
            FileStamp bs = FileStamp.of(bbox);
            Recording c = cached.get(name);
            if (e.getValue().size() > 1) {
                List<String> names = e.getValue().stream()
                        .map(p -> p.getFileName().toString())
                        .toList();
                String files = String.join(" and ", names);
                out.add(bad(
                        name,
                        events,
                        bbox,
                        ds,
                        bs,
                        0,
                        0,
                        splitDir + ": " + files + " are both recording '" + name + "'; remove or rename one"));
            } else if (c != null
                    && c.eventFile().equals(events)
                    && c.eventFileStamp().equals(ds)
                    && c.bboxStamp().equals(bs)) {
                out.add(c);
            } else {
                out.add(null);
                stale.add(new Stale(name, events, bbox, ds, bs));
            }
        }
        List<Recording> indexed = stale.isEmpty() ? List.of() : indexer.indexAll(List.copyOf(stale));
        if (indexed.size() != stale.size())
            throw new IllegalStateException(stale.size() + " recordings to index, " + indexed.size() + " indexed");
        for (int i = 0, next = 0; i < out.size(); i++) if (out.get(i) == null) out.set(i, indexed.get(next++));
        DatasetIndex index = new DatasetIndex(out, stale.size());
        if (cacheFile != null && (!stale.isEmpty() || cached.size() != out.size())) index.tryWriteCache(cacheFile);
        return index;
    }

    /**
     * The recording an event file in a data folder holds, or null if it is not an event file:
     * {@code NAME_td.dat}, {@code NAME.raw} and {@code NAME_td.raw} all hold {@code NAME}.
     */
    public static String recordingName(String fileName) {
        if (fileName.endsWith("_td.dat")) return fileName.substring(0, fileName.length() - "_td.dat".length());
        if (!fileName.endsWith(".raw") || fileName.length() == ".raw".length()) return null;
        String name = fileName.substring(0, fileName.length() - ".raw".length());
        return name.endsWith("_td") && name.length() > 3 ? name.substring(0, name.length() - 3) : name;
    }

    /** Indexes one recording; problems become its {@code problem} or its warnings, never an exception. */
    static Recording index(String name, Path events, Path bbox, FileStamp ds, FileStamp bs) {
        if (bs.size() < 0) {
            String problem = "has no box file " + bbox.getFileName() + " beside it";
            return bad(name, events, bbox, ds, bs, 0, 0, new DataFormatException(events, problem).getMessage());
        }
        if (events.getFileName().toString().endsWith(".raw")) return indexRaw(name, events, bbox, ds, bs);
        try (DatFile f = DatFile.open(events)) {
            Events scratch = new Events(Math.min(CHUNK, (int) Math.max(1, f.eventCount())));
            long running = 0;
            for (long from = 0; from < f.eventCount(); from += CHUNK) {
                long to = Math.min(f.eventCount(), from + CHUNK);
                f.read(from, to, running, scratch); // checks every event against the sensor
                running = scratch.t()[scratch.size() - 1];
            }
            Boxes boxes;
            try {
                boxes = Boxes.read(bbox);
            } catch (IOException e) {
                return bad(name, events, bbox, ds, bs, f.width(), f.height(), e.getMessage());
            }
            List<String> warnings = new ArrayList<>(Labels.problems(boxes, bbox, f.width(), f.height()));
            List<Sample> samples = new ArrayList<>();
            long last = f.lastTime();
            for (long tL : boxes.timestamps()) {
                long start = tL - Encoder.WINDOW_US;
                if (start < 0 || tL > last + 1) continue; // the window is not wholly inside the recording
                long a = f.lowerBound(start);
                long b = f.lowerBound(tL);
                if (a == b) {
                    warnings.add(new DataFormatException(
                                    events,
                                    "label time " + tL + " µs: no events in its window [" + start + ", " + tL
                                            + ") µs; sample skipped")
                            .getMessage());
                    continue;
                }
                samples.add(new Sample(tL, a, b, f.runningMaxBefore(a), null));
            }
            return new Recording(
                    name,
                    events,
                    bbox,
                    ds,
                    bs,
                    f.width(),
                    f.height(),
                    f.eventCount(),
                    f.firstTime(),
                    last,
                    null,
                    warnings,
                    samples);
        } catch (IOException e) {
            return bad(name, events, bbox, ds, bs, 0, 0, e.getMessage());
        }
    }

    /**
     * Indexes a RAW recording: one pass over its events (checking each against the sensor) locates every
     * window's first and last event and keeps a checkpoint before it.
     */
    private static Recording indexRaw(String name, Path raw, Path bbox, FileStamp ds, FileStamp bs) {
        try (RawFile f = RawFile.open(raw)) {
            Boxes boxes;
            try {
                boxes = Boxes.read(bbox);
            } catch (IOException e) {
                return bad(name, raw, bbox, ds, bs, f.width(), f.height(), e.getMessage());
            }
            long[] labels = boxes.timestamps();
            long[] times = new long[2 * labels.length]; // every window's start and end, sorted
            for (int i = 0; i < labels.length; i++) {
                times[2 * i] = labels[i] - Encoder.WINDOW_US;
                times[2 * i + 1] = labels[i];
            }
            times = Arrays.stream(times).distinct().sorted().toArray();
            RawWindows.Scan scan = RawWindows.scan(f, times);
            List<String> warnings = new ArrayList<>(Labels.problems(boxes, bbox, f.width(), f.height()));
            warnings.addAll(f.warnings());
            List<Sample> samples = new ArrayList<>();
            for (long tL : labels) {
                long start = tL - Encoder.WINDOW_US;
                if (start < 0 || tL > scan.lastTime() + 1) continue; // the window is not wholly inside the recording
                RawWindows.Point a = scan.points()[Arrays.binarySearch(times, start)];
                RawWindows.Point b = scan.points()[Arrays.binarySearch(times, tL)];
                if (a.event() == b.event()) {
                    warnings.add(new DataFormatException(
                                    raw,
                                    "label time " + tL + " µs: no events in its window ["
                                            + start + ", " + tL
                                            + ") µs; sample skipped")
                            .getMessage());
                    continue;
                }
                samples.add(new Sample(tL, a.event(), b.event(), a.runningMax(), a.checkpoint()));
            }
            return new Recording(
                    name,
                    raw,
                    bbox,
                    ds,
                    bs,
                    f.width(),
                    f.height(),
                    scan.events(),
                    scan.firstTime(),
                    scan.lastTime(),
                    null,
                    warnings,
                    samples);
        } catch (IOException e) {
            return bad(name, raw, bbox, ds, bs, 0, 0, e.getMessage());
        }
    }

    private static Recording bad(
            String name, Path events, Path bbox, FileStamp ds, FileStamp bs, int w, int h, String problem) {
        return new Recording(name, events, bbox, ds, bs, w, h, 0, 0, 0, problem, List.of(), List.of());
    }

    private static Map<String, Recording> readCache(Path cacheFile, Path splitDir) {
        Map<String, Recording> out = new HashMap<>();
        List<String> lines;
        try {
            if (!Files.exists(cacheFile)) return out;
            lines = Files.readAllLines(cacheFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return out;
        }
        if (lines.isEmpty() || !lines.get(0).equals(MAGIC)) return out;
        try {
            int i = 1;
            while (i < lines.size()) {
                int end = i + 1;
                while (end < lines.size() && !lines.get(end).startsWith("R\t")) end++;
                Recording r = entry(lines.subList(i, end), splitDir);
                out.put(r.name(), r);
                i = end;
            }
        } catch (RuntimeException e) {
            return Map.of(); // a damaged cache is rebuilt, not trusted
        }
        return out;
    }

    /**
     * A recording as the cache file holds it: {@link #cacheEntry}'s lines, read back; the files are in {@code splitDir}.
     * The Spark module's tasks send their recordings to the driver in this form.
     */
    public static Recording fromCacheEntry(String entry, Path splitDir) {
        return entry(List.of(entry.split("\n")), splitDir);
    }

    /** One recording's lines of the cache: an {@code R} line, then its warnings ({@code W}) and samples ({@code S}). */
    private static Recording entry(List<String> lines, Path splitDir) {
        String[] r = lines.get(0).split("\t", -1);
        if (!r[0].equals("R") || r.length != 14) throw new IllegalArgumentException("not a recording line");
        String name = r[1];
        String problem = r[13].isEmpty() ? null : r[13];
        List<String> warnings = new ArrayList<>();
        List<Sample> samples = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split("\t", -1);
            if (f[0].equals("W")) warnings.add(f[1]);
            else if (f[0].equals("S")) samples.add(sample(f));
            else throw new IllegalArgumentException("unknown line " + f[0]);
        }
        if (Integer.parseInt(r[12]) != samples.size()) throw new IllegalArgumentException("samples missing");
        return new Recording(
                name,
                splitDir.resolve(r[2]),
                splitDir.resolve(name + "_bbox.npy"),
                new FileStamp(Long.parseLong(r[3]), Long.parseLong(r[4])),
                new FileStamp(Long.parseLong(r[5]), Long.parseLong(r[6])),
                Integer.parseInt(r[7]),
                Integer.parseInt(r[8]),
                Long.parseLong(r[9]),
                Long.parseLong(r[10]),
                Long.parseLong(r[11]),
                problem,
                warnings,
                samples);
    }

    /** A cache line {@code S tL from to runningMax [checkpoint fields]}. */
    private static Sample sample(String[] f) {
        if (f.length != 5 && f.length != 5 + RawCheckpoint.FIELDS)
            throw new NumberFormatException("sample line of " + f.length + " fields");
        RawCheckpoint seek = f.length == 5 ? null : RawCheckpoint.parse(f, 5);
        return new Sample(Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]), Long.parseLong(f[4]), seek);
    }

    private void tryWriteCache(Path cacheFile) {
        Path tmp = cacheFile.resolveSibling(cacheFile.getFileName() + ".tmp");
        try {
            Files.createDirectories(cacheFile.toAbsolutePath().getParent());
            try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                w.write(MAGIC + "\n");
                for (Recording r : recordings) w.write(cacheEntry(r));
            }
            Files.move(tmp, cacheFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            // A read-only data folder: the index still works, it is just rebuilt next time.
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // nothing more to clean up
            }
        }
    }

    /** Recording {@code r}'s lines of the cache file, each ending in a newline. */
    public static String cacheEntry(Recording r) {
        StringBuilder out = new StringBuilder();
        out.append(String.join(
                        "\t",
                        "R",
                        r.name(),
                        r.eventFile().getFileName().toString(),
                        "" + r.eventFileStamp().size(),
                        "" + r.eventFileStamp().mtimeMillis(),
                        "" + r.bboxStamp().size(),
                        "" + r.bboxStamp().mtimeMillis(),
                        "" + r.width(),
                        "" + r.height(),
                        "" + r.events(),
                        "" + r.firstTime(),
                        "" + r.lastTime(),
                        "" + r.samples().size(),
                        r.problem() == null ? "" : oneLine(r.problem())))
                .append('\n');
        for (String warning : r.warnings())
            out.append("W\t").append(oneLine(warning)).append('\n');
        for (Sample s : r.samples()) {
            String seek =
                    s.seek() == null ? "" : "\t" + String.join("\t", s.seek().toFields());
            out.append("S\t" + s.tL() + "\t" + s.from() + "\t" + s.to() + "\t" + s.runningMax() + seek)
                    .append('\n');
        }
        return out.toString();
    }

    private static String oneLine(String s) {
        return s.replace('\t', ' ').replace('\n', ' ').replace('\r', ' ');
    }
}
