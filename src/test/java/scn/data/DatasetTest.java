package scn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scn.data.events.Events;

/** The dataset index: samples per label time, bad recordings flagged and skipped, the cache and its invalidation. */
class DatasetTest {
    @TempDir
    Path root;

    Path train;

    /** Writes a recording with events every 50 µs from 0 to {@code endUs} at random pixels, and the given boxes. */
    static void recording(Path dir, String name, long endUs, Boxes boxes, long seed) throws IOException {
        Random rnd = new Random(seed);
        try (DatWriter w = DatWriter.create(dir.resolve(name + "_td.dat"), 304, 240)) {
            for (long t = 0; t < endUs; t += 50) w.write(t, rnd.nextInt(304), rnd.nextInt(240), rnd.nextInt(2));
        }
        if (boxes != null) boxes.write(dir.resolve(name + "_bbox.npy"));
    }

    @BeforeEach
    void write() throws IOException {
        train = Files.createDirectories(root.resolve("train"));
        Boxes a = new Boxes();
        a.add(50_000, 10, 10, 40, 40, 0, 1, 1); // window would start before 0: no sample
        a.add(100_000, 10, 10, 40, 40, 0, 1, 1); // first full window [0, 100000)
        a.add(200_000, 12, 10, 40, 40, 0, 1, 1);
        a.add(200_000, 100, 50, 20, 60, 1, 2, 1);
        a.add(300_000, 500, 10, 40, 40, 0, 3, 1); // outside the frame: a warning
        a.add(900_000, 10, 10, 40, 40, 0, 1, 1); // after the last event: no sample
        recording(train, "a", 400_000, a, 1);
        Boxes b = new Boxes();
        b.add(100_000, 10, 10, 40, 40, 0, 1, 1);
        recording(train, "b_nobox", 200_000, null, 2);
        recording(train, "c_cut", 200_000, b, 3);
        Path cut = train.resolve("c_cut_td.dat");
        byte[] bytes = Files.readAllBytes(cut);
        Files.write(cut, Arrays.copyOf(bytes, bytes.length - 5));
        try (DatWriter w = DatWriter.create(train.resolve("d_wide_td.dat"), 304, 240)) {
            w.write(10, 5, 5, 0);
            w.write(20, 400, 5, 0); // x outside the sensor
        }
        b.write(train.resolve("d_wide_bbox.npy"));
        // An empty window: events only before 100 ms and after 250 ms.
        try (DatWriter w = DatWriter.create(train.resolve("e_gap_td.dat"), 304, 240)) {
            w.write(90_000, 1, 1, 1);
            w.write(260_000, 1, 1, 1);
        }
        Boxes e = new Boxes();
        e.add(250_000, 10, 10, 40, 40, 0, 1, 1);
        e.write(train.resolve("e_gap_bbox.npy"));
    }

    @Test
    void badRecordingsAreFlaggedAndTheOthersIndexed() throws IOException {
        try (Dataset ds = Dataset.open(root, "train")) {
            List<DatasetIndex.Recording> recs = ds.index().recordings();
            assertEquals(5, recs.size());
            assertTrue(recs.get(0).ok());
            assertTrue(
                    recs.get(1).problem().contains("b_nobox_td.dat")
                            && recs.get(1).problem().contains("b_nobox_bbox.npy"),
                    recs.get(1).problem());
            assertTrue(
                    recs.get(2).problem().contains("c_cut_td.dat")
                            && recs.get(2).problem().contains("truncated"),
                    recs.get(2).problem());
            assertTrue(
                    recs.get(3).problem().contains("d_wide_td.dat")
                            && recs.get(3).problem().contains("at byte"),
                    recs.get(3).problem());
            assertTrue(recs.get(4).ok());
            assertEquals(3, ds.skipped().size());
            assertEquals(3, ds.size(), "a: 100 ms, 200 ms, 300 ms; e: its only window is empty");
            assertEquals("a", ds.recordingName(0));
            assertEquals(100_000, ds.timestamp(0));
            assertEquals(300_000, ds.timestamp(2));
            String warnings = String.join("\n", recs.get(0).warnings());
            assertTrue(
                    warnings.contains("a_bbox.npy") && warnings.contains("row 4") && warnings.contains("outside"),
                    warnings);
            String gap = String.join("\n", recs.get(4).warnings());
            assertTrue(gap.contains("e_gap_td.dat") && gap.contains("no events") && gap.contains("250000"), gap);
        }
    }

    @Test
    void aPartOfTheSplitHoldsItsRecordingsSamplesAndSkipsNothing() throws IOException {
        try (Dataset whole = Dataset.open(root, "train");
                Dataset a = Dataset.open(root, "train", "a"::equals);
                Dataset e = Dataset.open(root, "train", "e_gap"::equals)) {
            assertEquals(whole.size(), a.size(), "all samples are a's");
            for (int i = 0; i < a.size(); i++) {
                assertEquals("a", a.recordingName(i));
                assertEquals(whole.timestamp(i), a.timestamp(i));
                assertArrayEquals(
                        whole.load(i, false).input().data(),
                        a.load(i, false).input().data());
            }
            assertEquals(0, e.size(), "e's only window is empty");
            assertEquals(3, whole.skipped().size());
            assertTrue(a.skipped().isEmpty() && e.skipped().isEmpty(), "the others' problems are not theirs");
            try (Dataset c = Dataset.open(root, "train", "c_cut"::equals)) {
                assertEquals(0, c.size());
                assertEquals(1, c.skipped().size());
                assertTrue(
                        c.skipped().get(0).contains("c_cut_td.dat"), c.skipped().get(0));
            }
        }
    }

    @Test
    void aSampleIsItsWindowEncodedAndItsLabels() throws IOException {
        try (Dataset ds = Dataset.open(root, "train");
                DatFile f = DatFile.open(train.resolve("a_td.dat"))) {
            Dataset.Sample s = ds.load(1, false);
            Events ev = new Events();
            f.read(0, f.eventCount(), ev);
            assertArrayEquals(EncoderTest.reference(ev, 200_000), s.input().data());
            assertEquals(2, s.boxes().length);
            assertArrayEquals(new float[] {12, 10, 40, 40, 0}, s.boxes()[0]);
            assertArrayEquals(new float[] {100, 50, 20, 60, 1}, s.boxes()[1]);
            Dataset.Sample empty = ds.load(2, false);
            assertEquals(0, empty.boxes().length, "the only box at 300 ms lies outside the frame");
        }
    }

    @Test
    void recordingsIndexedApartWriteTheSameCacheFile() throws IOException {
        Path cache = train.resolve(Dataset.CACHE_NAME);
        try (Dataset ds = Dataset.open(root, "train")) {
            assertEquals(5, ds.index().rebuiltCount());
        }
        byte[] local = Files.readAllBytes(cache);
        Files.delete(cache);
        // each recording indexed alone and read back from its cache entry, as the Spark module's tasks send them
        List<String> asked = new ArrayList<>();
        DatasetIndex built = Dataset.index(root, "train", stale -> {
            List<DatasetIndex.Recording> out = new ArrayList<>();
            for (DatasetIndex.Stale s : stale) {
                asked.add(s.name());
                out.add(DatasetIndex.fromCacheEntry(DatasetIndex.cacheEntry(s.index()), train));
            }
            return out;
        });
        assertEquals(List.of("a", "b_nobox", "c_cut", "d_wide", "e_gap"), asked);
        assertEquals(5, built.rebuiltCount());
        assertEquals(cache, Dataset.cacheFile(root, "train"));
        assertArrayEquals(local, Files.readAllBytes(cache), "problems, warnings and samples alike");
        try (Dataset ds = Dataset.open(root, "train")) {
            assertEquals(0, ds.index().rebuiltCount(), "the cache is reused");
            assertEquals(3, ds.size());
            assertEquals(3, ds.skipped().size());
        }
    }

    @Test
    void theIndexIsCachedAndRebuiltWhenAFileChanges() throws IOException {
        Path cache = train.resolve(Dataset.CACHE_NAME);
        try (Dataset ds = Dataset.open(root, "train")) {
            assertEquals(5, ds.index().rebuiltCount());
        }
        assertTrue(Files.exists(cache));
        try (Dataset ds = Dataset.open(root, "train")) {
            assertEquals(0, ds.index().rebuiltCount(), "nothing changed: everything comes from the cache");
            assertEquals(3, ds.size());
            assertEquals(3, ds.skipped().size());
        }
        // Another box file for "a": one more label time, so the index must change.
        Boxes a = new Boxes();
        a.add(150_000, 10, 10, 40, 40, 0, 1, 1);
        a.add(350_000, 10, 10, 40, 40, 0, 1, 1);
        a.add(390_000, 10, 10, 40, 40, 0, 1, 1);
        a.write(train.resolve("a_bbox.npy"));
        try (Dataset ds = Dataset.open(root, "train")) {
            assertEquals(1, ds.index().rebuiltCount());
            assertEquals(3, ds.size());
            assertEquals(150_000, ds.timestamp(0));
        }
        // Same size, new modification time: rebuilt as well.
        Path dat = train.resolve("e_gap_td.dat");
        Files.setLastModifiedTime(
                dat, FileTime.fromMillis(Files.getLastModifiedTime(dat).toMillis() + 5000));
        try (Dataset ds = Dataset.open(root, "train")) {
            assertEquals(1, ds.index().rebuiltCount());
        }
        // The missing box file appears: that recording becomes usable.
        Boxes b = new Boxes();
        b.add(150_000, 10, 10, 40, 40, 1, 1, 1);
        b.write(train.resolve("b_nobox_bbox.npy"));
        try (Dataset ds = Dataset.open(root, "train")) {
            assertEquals(1, ds.index().rebuiltCount());
            assertTrue(ds.index().recordings().get(1).ok());
            assertEquals(4, ds.size());
        }
        // A damaged cache is not trusted.
        Files.writeString(cache, DatasetIndex.MAGIC + "\nR\tgarbage\n");
        try (Dataset ds = Dataset.open(root, "train")) {
            assertEquals(5, ds.index().rebuiltCount());
            assertFalse(ds.index().recordings().get(2).ok());
        }
    }
}
