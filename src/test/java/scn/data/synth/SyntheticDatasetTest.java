package scn.data.synth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scn.data.Boxes;
import scn.data.DatFile;
import scn.data.Dataset;
import scn.data.NpyArray;
import scn.data.events.Events;

/** The synthetic dataset: deterministic per seed, valid GEN1 files, usable by the dataset reader. */
class SyntheticDatasetTest {
    @TempDir
    Path dir;

    /** Three sequences of 0.6 s: enough for one recording per split, a few seconds to generate. */
    static SyntheticDataset.Config tiny(long seed, int threads) {
        return new SyntheticDataset.Config(3, seed, 0.6, 10, 5000, threads);
    }

    @Test
    void theSameSeedGivesTheSameBytesWhateverTheThreads() throws IOException {
        SyntheticDataset.generate(dir.resolve("a"), tiny(5, 1), s -> {});
        SyntheticDataset.generate(dir.resolve("b"), tiny(5, 3), s -> {});
        SyntheticDataset.generate(dir.resolve("c"), tiny(6, 1), s -> {});
        List<Path> files = files(dir.resolve("a"));
        assertEquals(7, files.size(), "three recordings of two files and the manifest: " + files);
        boolean anyDifferent = false;
        for (Path f : files) {
            Path rel = dir.resolve("a").relativize(f);
            assertArrayEquals(
                    Files.readAllBytes(f), Files.readAllBytes(dir.resolve("b").resolve(rel)), rel.toString());
            if (rel.toString().endsWith(".dat")) {
                anyDifferent |= !java.util.Arrays.equals(
                        Files.readAllBytes(f),
                        Files.readAllBytes(dir.resolve("c").resolve(rel)));
            }
        }
        assertTrue(anyDifferent, "another seed gives other events");
    }

    private static List<Path> files(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return new ArrayList<>(s.filter(Files::isRegularFile)
                    .filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted()
                    .toList());
        }
    }

    @Test
    void filesAreGen1AndTheDatasetReadsThem() throws IOException {
        Path out = dir.resolve("d");
        SyntheticDataset.generate(out, tiny(9, 2), s -> {});
        for (String split : Dataset.SPLITS)
            assertTrue(Files.exists(
                    out.resolve(split).resolve(String.format("synth_%04d_td.dat", Dataset.SPLITS.indexOf(split)))));
        Path dat = out.resolve("train/synth_0000_td.dat");
        try (DatFile f = DatFile.open(dat)) {
            assertTrue(f.hasHeader());
            assertEquals(304, f.width());
            assertEquals(240, f.height());
            assertTrue(f.eventCount() > 10_000, "a busy scene: " + f.eventCount());
            Events ev = new Events();
            f.read(0, f.eventCount(), ev);
            for (int i = 1; i < ev.size(); i++)
                assertTrue(f.rawTime(i) >= f.rawTime(i - 1), "events in time order at " + i);
            assertTrue(f.lastTime() < 600_000);
        }
        NpyArray a = NpyArray.read(out.resolve("train/synth_0000_bbox.npy"));
        assertEquals(33, a.itemSize(), "the GEN1 packed box dtype");
        assertTrue(a.field("track_id") != null && a.field("ts") != null);
        Boxes b = Boxes.read(out.resolve("train/synth_0000_bbox.npy"));
        for (int i = 0; i < b.size(); i++) {
            assertEquals(0, b.t(i) % 100_000, "labels at 10 Hz");
            assertTrue(b.classId(i) == 0 || b.classId(i) == 1);
            assertTrue(b.trackId(i) > 0);
            assertTrue(
                    b.x(i) >= 0 && b.y(i) >= 0 && b.x(i) + b.w(i) <= 304 && b.y(i) + b.h(i) <= 240,
                    "box " + i + " lies inside the frame (a detector's clipped box must be able to match it)");
        }
        try (Dataset ds = Dataset.open(out, "train")) {
            assertTrue(ds.skipped().isEmpty(), ds.skipped().toString());
            assertEquals(5, ds.size(), "labels at 0.1 .. 0.5 s");
        }
    }

    @Test
    void ensureDefaultGeneratesOnceAndReusesTheCache() throws IOException {
        SyntheticDataset.Config cfg = new SyntheticDataset.Config(3, 2, 0.3, 10, 5000, 2);
        List<String> log = new ArrayList<>();
        Path first = SyntheticDataset.ensure(dir, cfg, log::add);
        assertEquals(dir.resolve(SyntheticDataset.VERSION), first);
        assertEquals(2, log.size(), "announced and timed: " + log);
        long mtime = Files.getLastModifiedTime(first.resolve("train/synth_0000_td.dat"))
                .toMillis();
        Path second = SyntheticDataset.ensure(dir, cfg, log::add);
        assertEquals(first, second);
        assertEquals(2, log.size(), "not generated again");
        assertEquals(
                mtime,
                Files.getLastModifiedTime(first.resolve("train/synth_0000_td.dat"))
                        .toMillis());
        try (Stream<Path> s = Files.list(dir)) {
            assertFalse(
                    s.anyMatch(p -> p.getFileName().toString().contains(".tmp")), "no temporary folder is left behind");
        }
    }
}
