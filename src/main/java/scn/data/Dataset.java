package scn.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import scn.data.events.DataFormatException;
import scn.data.events.Events;
import scn.data.raw.RawFile;
import scn.data.raw.RawWindows;
import scn.tensor.SpikeTensor;

/**
 * One split ({@code train}, {@code val} or {@code test}) of a GEN1-layout data folder as a list of samples:
 * one per label timestamp with a full 100 ms window, in recording-name then time order. A sample is its
 * SPEC section 4 input and its SPEC section 7 labels.
 *
 * <p>Recordings the index flags as bad, and recordings whose sensor size differs from the first good one,
 * are left out and listed by {@link #skipped()}. Event files stay open while the dataset is open and
 * may be read from several threads at once ({@code .dat} files are memory-mapped; a RAW file decodes
 * one window at a time, from the checkpoint the index keeps for it).
 */
public final class Dataset implements AutoCloseable {
    public static final List<String> SPLITS = List.of("train", "val", "test");
    static final String CACHE_NAME = ".scn-index.tsv";

    /** One encoded sample: {@code input [5, 4, H, W]}, label rows {@code (x, y, w, h, class)}. */
    public record Sample(SpikeTensor input, float[][] boxes, String recording, long timestamp) {}

    private final DatasetIndex index;
    private final List<DatasetIndex.Recording> used = new ArrayList<>();
    private final List<String> skipped = new ArrayList<>();
    private final int[] sampleRecording; // [samples] index into used
    private final DatasetIndex.Sample[] samples; // [samples]
    private final int width;
    private final int height;
    private final ConcurrentHashMap<Integer, WindowReader> files = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Integer, Boxes> boxes = new ConcurrentHashMap<>();

    private Dataset(DatasetIndex index, Predicate<String> keep) {
        this.index = index;
        int w = -1;
        int h = -1;
        List<DatasetIndex.Sample> all = new ArrayList<>();
        List<Integer> owner = new ArrayList<>();
        for (DatasetIndex.Recording r : index.recordings()) {
            // every recording takes part in the checks, so that a part of the split has the whole split's sensor
            boolean kept = keep.test(r.name());
            if (!r.ok()) {
                if (kept) skipped.add(r.problem());
                continue;
            }
            if (w < 0) {
                w = r.width();
                h = r.height();
            } else if (r.width() != w || r.height() != h) {
                if (kept)
                    skipped.add(r.eventFile() + ": sensor " + r.width() + "x" + r.height()
                            + " differs from the split's " + w + "x" + h);
                continue;
            }
            if (!kept) continue;
            for (DatasetIndex.Sample s : r.samples()) {
                all.add(s);
                owner.add(used.size());
            }
            used.add(r);
        }
        this.width = w < 0 ? DatFile.DEFAULT_WIDTH : w;
        this.height = h < 0 ? DatFile.DEFAULT_HEIGHT : h;
        this.samples = all.toArray(new DatasetIndex.Sample[0]);
        this.sampleRecording = owner.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Opens split {@code split} of the data folder {@code root}, indexing it (or reusing its cached index). */
    public static Dataset open(Path root, String split) throws IOException {
        Path dir = splitDir(root, split);
        return open(dir, defaultCacheFile(dir));
    }

    /** Opens one folder of recordings with an explicit index cache file (null: no cache). */
    public static Dataset open(Path dir, Path cacheFile) throws IOException {
        return new Dataset(DatasetIndex.build(dir, cacheFile), name -> true);
    }

    /**
     * Part of split {@code split}: the samples of the recordings whose names {@code recordings} accepts, as they are in
     * the whole split; {@link #skipped()} lists only the accepted recordings' problems. How the Spark module gives
     * each task its recordings.
     */
    public static Dataset open(Path root, String split, Predicate<String> recordings) throws IOException {
        Path dir = splitDir(root, split);
        return new Dataset(DatasetIndex.build(dir, defaultCacheFile(dir)), recordings);
    }

    /**
     * Indexes split {@code split} of {@code root} into the cache file that {@link #open} reuses ({@link #cacheFile}),
     * the recordings that are not in it, or changed, indexed by {@code indexer}: how the Spark module's {@code index}
     * builds the cache, a task per recording.
     */
    public static DatasetIndex index(Path root, String split, DatasetIndex.Indexer indexer) throws IOException {
        Path dir = splitDir(root, split);
        return DatasetIndex.build(dir, defaultCacheFile(dir), indexer);
    }

    /** The index cache file of split {@code split} of {@code root}: where {@link #open} reads and writes it. */
    public static Path cacheFile(Path root, String split) throws IOException {
        return defaultCacheFile(splitDir(root, split));
    }

    private static Path splitDir(Path root, String split) throws DataFormatException {
        Path dir = root.resolve(split);
        if (!Files.isDirectory(dir)) throw new DataFormatException(root, "has no '" + split + "' folder");
        return dir;
    }

    /** The index cache beside the recordings, or in the user cache when the data folder is read-only. */
    static Path defaultCacheFile(Path dir) {
        if (Files.isWritable(dir)) return dir.resolve(CACHE_NAME);
        byte[] path = dir.toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8);
        try {
            String key = HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(path), 0, 16);
            return CacheDir.root().resolve("index").resolve(key + ".tsv");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    public DatasetIndex index() {
        return index;
    }

    /** Messages for the recordings left out, each naming its file. */
    public List<String> skipped() {
        return List.copyOf(skipped);
    }

    public int size() {
        return samples.length;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    public String recordingName(int i) {
        return used.get(sampleRecording[i]).name();
    }

    public long timestamp(int i) {
        return samples[i].tL();
    }

    /** Sample {@code i}, optionally mirrored left to right. */
    public Sample load(int i, boolean flip) throws IOException {
        byte[] input = new byte[Encoder.STEPS * Encoder.CHANNELS * height * width]; // [T, C, H, W]
        float[][] b = encodeInto(i, flip, new Events(), input, Encoder.Layout.dense(height, width));
        return new Sample(
                SpikeTensor.wrap(input, Encoder.STEPS, Encoder.CHANNELS, height, width),
                b,
                recordingName(i),
                timestamp(i));
    }

    /**
     * Decodes sample {@code i}'s window into {@code scratch}, encodes it into {@code out} at {@code at}
     * (which must be zero there) and returns its label rows {@code [n][5]}; with {@code flip} events go to
     * {@code x -> W-1-x} and boxes to {@code x -> W-x-w}.
     */
    public float[][] encodeInto(int i, boolean flip, Events scratch, byte[] out, Encoder.Layout at) throws IOException {
        DatasetIndex.Sample s = samples[i];
        int r = sampleRecording[i];
        file(r).read(s, scratch);
        Encoder.encode(scratch, 0, scratch.size(), s.tL(), width, flip, out, at);
        float[][] rows = Labels.at(boxes(r), s.tL(), width, height);
        if (flip) {
            for (float[] row : rows) row[0] = width - row[0] - row[2];
        }
        return rows;
    }

    /** An open event file that reads samples' windows; a RAW file's reads take turns (one decoder). */
    private interface WindowReader extends AutoCloseable {
        void read(DatasetIndex.Sample s, Events out) throws IOException;

        @Override
        void close() throws IOException;

        static WindowReader open(Path file) throws IOException {
            if (!file.getFileName().toString().endsWith(".raw")) {
                DatFile f = DatFile.open(file);
                return new WindowReader() {
                    @Override
                    public void read(DatasetIndex.Sample s, Events out) throws IOException {
                        f.read(s.from(), s.to(), s.runningMax(), out);
                    }

                    @Override
                    public void close() {
                        f.close();
                    }
                };
            }
            RawFile f = RawFile.open(file);
            Events batch = new Events(1 << 16);
            return new WindowReader() {
                @Override
                public synchronized void read(DatasetIndex.Sample s, Events out) throws IOException {
                    RawWindows.read(f, s.seek(), s.from(), s.to(), batch, out);
                }

                @Override
                public void close() throws IOException {
                    f.close();
                }
            };
        }
    }

    private WindowReader file(int r) throws IOException {
        try {
            return files.computeIfAbsent(r, k -> {
                try {
                    return WindowReader.open(used.get(k).eventFile());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private Boxes boxes(int r) throws IOException {
        try {
            return boxes.computeIfAbsent(r, k -> {
                try {
                    return Boxes.read(used.get(k).bbox());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    @Override
    public void close() {
        for (WindowReader f : files.values()) {
            try {
                f.close();
            } catch (IOException e) {
                // closing a file opened for reading: nothing was written, nothing is lost
            }
        }
        files.clear();
    }
}
