package scn.data;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The index of one split folder of {@code *_td.dat} + {@code *_bbox.npy} pairs: for every recording its
 * sensor size, event count and time span, and one sample per label timestamp whose 100 ms window lies
 * wholly inside the recording, with the window's event range and clamp floor, so a loader later reads
 * exactly the events it encodes and nothing else.
 *
 * <p>Building it decodes every event once (which also checks each event against the sensor), so it is
 * cached in a small text file and rebuilt per recording when either of its files changes size or
 * modification time. A recording that cannot be used (unreadable file, missing box file) is kept in the
 * index with its problem and no samples; rows and windows that cannot be used are warnings. Neither stops
 * the other recordings.
 */
public final class DatasetIndex {
    static final String MAGIC = "scn-index 2";
    private static final int CHUNK = 1 << 20;

    /** One training sample: label time {@code tL}, events {@code [from, to)} of the window, the clamp floor before {@code from}. */
    public record Sample(long tL, long from, long to, long runningMax) {}

    /** One recording; {@code problem} is null when it is usable. */
    public record Recording(String name, Path dat, Path bbox, FileStamp datStamp, FileStamp bboxStamp, int width, int height,
            long events, long firstTime, long lastTime, String problem, List<String> warnings, List<Sample> samples) {
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

    /**
     * Indexes {@code splitDir}, reusing the entries of {@code cacheFile} whose files are unchanged and
     * rewriting it; {@code cacheFile} may be null (no cache) and a cache that cannot be written is skipped.
     */
    public static DatasetIndex build(Path splitDir, Path cacheFile) throws IOException {
        List<Path> dats;
        try (Stream<Path> s = Files.list(splitDir)) {
            dats = s.filter(p -> p.getFileName().toString().endsWith("_td.dat")).sorted().toList();
        }
        Map<String, Recording> cached = cacheFile == null ? Map.of() : readCache(cacheFile, splitDir);
        List<Recording> out = new ArrayList<>();
        int rebuilt = 0;
        for (Path dat : dats) {
            String name = dat.getFileName().toString();
            name = name.substring(0, name.length() - "_td.dat".length());
            Path bbox = splitDir.resolve(name + "_bbox.npy");
            FileStamp ds = FileStamp.of(dat);
            FileStamp bs = FileStamp.of(bbox);
            Recording c = cached.get(name);
            if (c != null && c.datStamp().equals(ds) && c.bboxStamp().equals(bs)) {
                out.add(c);
            } else {
                out.add(index(name, dat, bbox, ds, bs));
                rebuilt++;
            }
        }
        DatasetIndex index = new DatasetIndex(out, rebuilt);
        if (cacheFile != null && (rebuilt > 0 || cached.size() != out.size())) index.tryWriteCache(cacheFile);
        return index;
    }

    /** Indexes one recording; problems become its {@code problem} or its warnings, never an exception. */
    static Recording index(String name, Path dat, Path bbox, FileStamp ds, FileStamp bs) {
        if (bs.size() < 0) {
            return bad(name, dat, bbox, ds, bs, 0, 0, new DataFormatException(dat, "has no box file " + bbox.getFileName() + " beside it").getMessage());
        }
        try (DatFile f = DatFile.open(dat)) {
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
                return bad(name, dat, bbox, ds, bs, f.width(), f.height(), e.getMessage());
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
                    warnings.add(new DataFormatException(dat, "label time " + tL + " µs: no events in its window [" + start + ", " + tL + ") µs; sample skipped").getMessage());
                    continue;
                }
                samples.add(new Sample(tL, a, b, f.runningMaxBefore(a)));
            }
            return new Recording(name, dat, bbox, ds, bs, f.width(), f.height(), f.eventCount(), f.firstTime(), last, null, warnings, samples);
        } catch (IOException e) {
            return bad(name, dat, bbox, ds, bs, 0, 0, e.getMessage());
        }
    }

    private static Recording bad(String name, Path dat, Path bbox, FileStamp ds, FileStamp bs, int w, int h, String problem) {
        return new Recording(name, dat, bbox, ds, bs, w, h, 0, 0, 0, problem, List.of(), List.of());
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
                String[] r = lines.get(i++).split("\t", -1);
                if (!r[0].equals("R") || r.length != 13) return Map.of();
                String name = r[1];
                String problem = r[12].isEmpty() ? null : r[12];
                List<String> warnings = new ArrayList<>();
                List<Sample> samples = new ArrayList<>();
                while (i < lines.size() && !lines.get(i).startsWith("R\t")) {
                    String[] f = lines.get(i++).split("\t", -1);
                    if (f[0].equals("W")) warnings.add(f[1]);
                    else if (f[0].equals("S")) samples.add(new Sample(Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]), Long.parseLong(f[4])));
                    else return Map.of();
                }
                out.put(name, new Recording(name, splitDir.resolve(name + "_td.dat"), splitDir.resolve(name + "_bbox.npy"),
                        new FileStamp(Long.parseLong(r[2]), Long.parseLong(r[3])), new FileStamp(Long.parseLong(r[4]), Long.parseLong(r[5])),
                        Integer.parseInt(r[6]), Integer.parseInt(r[7]), Long.parseLong(r[8]), Long.parseLong(r[9]), Long.parseLong(r[10]),
                        problem, warnings, samples));
                if (Integer.parseInt(r[11]) != samples.size()) return Map.of();
            }
        } catch (RuntimeException e) {
            return Map.of(); // a damaged cache is rebuilt, not trusted
        }
        return out;
    }

    private void tryWriteCache(Path cacheFile) {
        Path tmp = cacheFile.resolveSibling(cacheFile.getFileName() + ".tmp");
        try {
            Files.createDirectories(cacheFile.toAbsolutePath().getParent());
            try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                w.write(MAGIC + "\n");
                for (Recording r : recordings) {
                    w.write(String.join("\t", "R", r.name(), "" + r.datStamp().size(), "" + r.datStamp().mtimeMillis(), "" + r.bboxStamp().size(),
                            "" + r.bboxStamp().mtimeMillis(), "" + r.width(), "" + r.height(), "" + r.events(), "" + r.firstTime(), "" + r.lastTime(),
                            "" + r.samples().size(), r.problem() == null ? "" : oneLine(r.problem())) + "\n");
                    for (String warning : r.warnings()) w.write("W\t" + oneLine(warning) + "\n");
                    for (Sample s : r.samples()) w.write("S\t" + s.tL() + "\t" + s.from() + "\t" + s.to() + "\t" + s.runningMax() + "\n");
                }
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

    private static String oneLine(String s) {
        return s.replace('\t', ' ').replace('\n', ' ').replace('\r', ' ');
    }
}
